package dev.weft.kvs;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A component that receives watch events and hands them to the test thread. It starts receiving
 * once {@link #open} is counted down (already open unless built with {@link #closedGate}), so a
 * test can make a watcher that cannot keep up; one built with {@link #stalling} stalls briefly
 * after some events, so its inbox is sometimes full and sometimes not.
 */
final class Collector extends Component {
    final Inbox<WatchEvent> events;
    final CountDownLatch open;
    private final BlockingQueue<WatchEvent> seen = new LinkedBlockingQueue<>();
    private final SplittableRandom stalls;

    Collector(int capacity) {
        this(capacity, new CountDownLatch(0), null);
    }

    private Collector(int capacity, CountDownLatch open, SplittableRandom stalls) {
        this.events = inbox("events", WatchEvent.class, capacity);
        this.open = open;
        this.stalls = stalls;
    }

    static Collector closedGate(int capacity) {
        return new Collector(capacity, new CountDownLatch(1), null);
    }

    /**
     * A collector that spins for up to 20 µs after one event in eight (a spin, not a sleep: it only
     * varies timing, it synchronises nothing), drawn from {@code seed}.
     */
    static Collector stalling(int capacity, long seed) {
        return new Collector(capacity, new CountDownLatch(0), new SplittableRandom(seed));
    }

    @Override
    protected void run() throws InterruptedException {
        open.await();
        for (;;) {
            if (select(events, control) == control) {
                return;
            }
            seen.add(events.poll());
            if (stalls != null && stalls.nextInt(8) == 0) {
                long until = System.nanoTime() + stalls.nextInt(20_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** Returns the next event, failing the test if none arrives within 10 seconds. */
    WatchEvent next() throws InterruptedException {
        WatchEvent e = seen.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no watch event within 10 s");
        }
        return e;
    }

    /** Returns the next event of a type, failing if the next event is of another type. */
    <E extends WatchEvent> E next(Class<E> type) throws InterruptedException {
        WatchEvent e = next();
        if (!type.isInstance(e)) {
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + e);
        }
        return type.cast(e);
    }

    /** Returns an event already received, or null: for checking that nothing more came. */
    WatchEvent pollNow() {
        return seen.poll();
    }
}
