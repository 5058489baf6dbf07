package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/** Components that receive for the tests. */
final class Receivers {
    private Receivers() {
    }

    /** Hands every message it receives to {@link #received}; waits for {@link #open} before reading. */
    static final class Collector extends Component {
        final Inbox<String> in;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CountDownLatch open = new CountDownLatch(1);

        Collector(String name, int capacity, boolean readAtOnce) {
            super(name);
            in = inbox("in", String.class, capacity);
            if (readAtOnce) {
                open.countDown();
            }
        }

        @Override
        protected void run() throws InterruptedException {
            open.await();
            while (true) {
                if (select(in, control) == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                    continue;
                }
                String m = in.poll();
                if (m != null) {
                    received.add(m);
                }
            }
        }
    }

    /**
     * Counts messages and checks that they are "0", "1", "2", ... exactly, until "end": a lost,
     * repeated or reordered message shows as the first disorder.
     */
    static final class Counter extends Component {
        final Inbox<String> in;
        final CountDownLatch done = new CountDownLatch(1);
        volatile long count;
        volatile String firstDisorder;

        Counter(String name) {
            super(name);
            in = inbox("in", String.class, 1024);
        }

        @Override
        protected void run() throws InterruptedException {
            long next = 0;
            for (String m = in.receive(); !m.equals("end"); m = in.receive()) {
                if (firstDisorder == null && !m.equals(Long.toString(next))) {
                    firstDisorder = "expected " + next + ", got " + m;
                }
                count = ++next;
            }
            done.countDown();
            control.receive();
        }
    }

    /** Keeps the signals it is told on its control inbox, until {@link Shutdown}. */
    static final class Listener extends Component {
        final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            for (Signal s = control.receive(); !(s instanceof Shutdown); s = control.receive()) {
                signals.add(s);
            }
        }
    }
}
