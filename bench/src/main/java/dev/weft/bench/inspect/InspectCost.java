package dev.weft.bench.inspect;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * What an attached inspector costs: ping-pong round trips and spawn throughput, with and without it.
 *
 * <pre>
 * java -cp ... dev.weft.bench.inspect.InspectCost ping-pong off|on [iterations]
 * java -cp ... dev.weft.bench.inspect.InspectCost spawn off|on [iterations]
 * </pre>
 *
 * "on" attaches what the HTTP inspector does, ten times as often as its page asks: a graph listener
 * feeding a bounded queue drained by another thread (the {@code /api/events} stream), and a snapshot
 * with inbox rates every 100 ms (the page polls {@code /api/graph} once a second). Run each case in a
 * fresh JVM; the first two iterations are warm-up, the median of the rest is reported.
 */
public final class InspectCost {
    private static final int ROUNDS = 500_000;
    private static final int SPAWNS = 100_000;
    private static final int WARMUP = 2;

    private InspectCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[1].equals("on") || args[1].equals("off"))) {
            System.err.println("usage: InspectCost ping-pong|spawn on|off [iterations]");
            System.exit(2);
        }
        boolean attached = args[1].equals("on");
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        double[] rates = new double[iterations - WARMUP];
        for (int i = 0; i < iterations; i++) {
            try (Weft weft = Weft.start()) {
                AutoCloseable inspector = attached ? Inspector.attach(weft) : () -> { };
                try (inspector) {
                    double rate = switch (args[0]) {
                        case "ping-pong" -> pingPong(weft);
                        case "spawn" -> spawn(weft);
                        default -> throw new IllegalArgumentException("unknown case " + args[0]);
                    };
                    if (i >= WARMUP) {
                        rates[i - WARMUP] = rate;
                    }
                }
            }
        }
        Arrays.sort(rates);
        System.out.printf("%s inspector=%s median %.0f/s (of %s)%n", args[0], args[1], rates[rates.length / 2],
                Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()));
    }

    static final class Player extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final boolean serves;

        Player(String name, boolean serves) {
            super(name);
            this.serves = serves;
        }

        @Override
        protected void run() throws InterruptedException {
            int last = 2 * ROUNDS - 1;
            if (serves) {
                outbox.send(0);
            }
            for (;;) {
                int ball = inbox.receive();
                if (ball >= last) {
                    if (ball == last) {
                        outbox.send(ball + 1);
                    }
                    return;
                }
                outbox.send(ball + 1);
            }
        }
    }

    /** Round trips per second. */
    private static double pingPong(Weft weft) throws InterruptedException {
        Player ping = new Player("ping", true);
        Player pong = new Player("pong", false);
        weft.link(ping.outbox, pong.inbox);
        weft.link(pong.outbox, ping.inbox);
        long start = System.nanoTime();
        weft.spawn(pong);
        weft.spawn(ping);
        ping.join();
        pong.join();
        return ROUNDS / ((System.nanoTime() - start) / 1e9);
    }

    static final class Blip extends Component {
        private final CountDownLatch done;

        Blip(CountDownLatch done) {
            this.done = done;
        }

        @Override
        protected void run() {
            done.countDown();
        }
    }

    /** Components spawned and ended per second. */
    private static double spawn(Weft weft) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(SPAWNS);
        long start = System.nanoTime();
        for (int i = 0; i < SPAWNS; i++) {
            weft.spawn(new Blip(done));
        }
        done.await();
        while (weft.liveComponents() > 0) {
            LockSupport.parkNanos(10_000);
        }
        return SPAWNS / ((System.nanoTime() - start) / 1e9);
    }
}
