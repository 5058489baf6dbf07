package dev.weft.bench.actor;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.util.concurrent.CompletableFuture;

/** The throughput cases with Weft handler-style actors; one runtime per JVM. */
final class WeftCases {
    static final int ROUND_TRIPS = 1_000_000;
    static final int SENDERS = 4;
    static final int PER_SENDER = 1_000_000;
    static final int RING = 100;
    static final int HOPS = 1_000_000;
    private static final Weft WEFT = Weft.start();

    private WeftCases() {
    }

    /** Passes each number it gets to its outbox, or completes {@code done} when it is {@code last}. */
    static final class Relay extends Actor<Integer> {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final int step;
        private final int last;
        private final CompletableFuture<Void> done;

        Relay(int step, int last, CompletableFuture<Void> done) {
            super(Integer.class);
            this.step = step;
            this.last = last;
            this.done = done;
        }

        @Override
        protected void onMessage(Integer n) throws InterruptedException {
            if (n == last) {
                done.complete(null);
            } else {
                outbox.send(n + step);
            }
        }
    }

    static long pingPong() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Relay ping = new Relay(1, ROUND_TRIPS, done);
        Relay pong = new Relay(0, -1, done);
        ping.outbox.linkTo(pong.inbox);
        pong.outbox.linkTo(ping.inbox);
        WEFT.spawn(ping);
        WEFT.spawn(pong);
        pong.inbox.send(0);
        done.get();
        ping.stop();
        pong.stop();
        return ROUND_TRIPS;
    }

    static long ring() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Relay[] ring = new Relay[RING];
        for (int i = 0; i < RING; i++) {
            ring[i] = new Relay(1, HOPS, done);
        }
        for (int i = 0; i < RING; i++) {
            ring[i].outbox.linkTo(ring[(i + 1) % RING].inbox);
            WEFT.spawn(ring[i]);
        }
        ring[0].inbox.send(0);
        done.get();
        for (Relay r : ring) {
            r.stop();
        }
        return HOPS;
    }

    /** Counts what it gets; completes {@code done} at {@code expected}. */
    static final class Counter extends Actor<Integer> {
        private final long expected;
        private final CompletableFuture<Void> done;
        private long count;

        Counter(long expected, CompletableFuture<Void> done) {
            super(Integer.class);
            this.expected = expected;
            this.done = done;
        }

        @Override
        protected void onMessage(Integer n) {
            if (++count == expected) {
                done.complete(null);
            }
        }
    }

    /** On any message, sends {@link #PER_SENDER} numbers (blocking on back-pressure). */
    static final class Sender extends Actor<Integer> {
        final Outbox<Integer> outbox = outbox(Integer.class);

        Sender() {
            super(Integer.class);
        }

        @Override
        protected void onMessage(Integer go) throws InterruptedException {
            for (int i = 0; i < PER_SENDER; i++) {
                outbox.send(i);
            }
        }
    }

    static long fanIn() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Counter counter = WEFT.spawn(new Counter((long) SENDERS * PER_SENDER, done));
        Sender[] senders = new Sender[SENDERS];
        for (int i = 0; i < SENDERS; i++) {
            senders[i] = WEFT.spawn(new Sender());
            senders[i].outbox.linkTo(counter.inbox);
        }
        for (Sender s : senders) {
            s.inbox.send(0);
        }
        done.get();
        counter.stop();
        for (Sender s : senders) {
            s.stop();
        }
        return (long) SENDERS * PER_SENDER;
    }
}
