package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BridgeTest {
    private static final int ROUND_TRIP_MESSAGES = 1_000_000;
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 100_000;
    private static final int EXECUTOR_MESSAGES = 200_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Sends 0, 1, 2, ... count-1. */
    static final class Source extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final int count;

        Source(int count) {
            this.count = count;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < count; i++) {
                outbox.send(i);
            }
        }
    }

    /** Checks that 0, 1, 2, ... arrive in order; completes with the count, or an error. */
    static final class InOrderSink extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        private final int count;
        private final Watchdog watchdog;

        InOrderSink(int count, Watchdog watchdog) {
            this.count = count;
            this.watchdog = watchdog;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int expected = 0; expected < count; expected++) {
                int got = inbox.receive();
                if (got != expected) {
                    done.completeExceptionally(new AssertionError("expected " + expected + " got " + got));
                    return;
                }
                watchdog.progress().incrementAndGet();
            }
            done.complete(count);
        }
    }

    /**
     * A foreign event loop on a platform thread: it parks until woken, then runs its tasks and
     * polls. The bridge's hook is {@link #wakeup()}, as a Selector loop's would be selector::wakeup.
     */
    static final class ForeignLoop implements AutoCloseable {
        final AtomicLong wakeUps = new AtomicLong();
        final Semaphore woken = new Semaphore(0);
        private final Thread thread;
        private volatile boolean running = true;
        private volatile Runnable onWake = () -> { };

        ForeignLoop(String name) {
            thread = Thread.ofPlatform().name(name).unstarted(this::loop);
        }

        void start(Runnable pollAll) {
            onWake = pollAll;
            thread.start();
        }

        Thread thread() {
            return thread;
        }

        void wakeup() {
            wakeUps.incrementAndGet();
            woken.release();
        }

        private void loop() {
            while (running) {
                onWake.run();
                woken.acquireUninterruptibly();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            woken.release();
            thread.join();
        }
    }

    @Test
    void aMillionMessagesCrossToAForeignLoopAndBackInOrderWithFarFewerWakeUps() throws Exception {
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10));
                ForeignLoop loop = new ForeignLoop("foreign-loop")) {
            Bridge<Integer> bridge = weft.spawn(new Bridge<>("to-loop", Integer.class, 1024, loop::wakeup));
            Source source = new Source(ROUND_TRIP_MESSAGES);
            InOrderSink sink = weft.spawn(new InOrderSink(ROUND_TRIP_MESSAGES, watchdog));
            weft.link(source.outbox, bridge.inbox);
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicInteger offLoopThread = new AtomicInteger();
            int[] expected = {0};
            loop.start(() -> {
                Integer m;
                while ((m = bridge.poll()) != null) {
                    if (Thread.currentThread() != loop.thread()) {
                        offLoopThread.incrementAndGet();
                    }
                    if (m != expected[0]++) {
                        outOfOrder.incrementAndGet();
                    }
                    try {
                        sink.inbox.send(m, WAIT);          // back into a component, from a platform thread
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            weft.spawn(source);

            assertThat(watchdog.await(sink.done)).isEqualTo(ROUND_TRIP_MESSAGES);
            assertThat(outOfOrder).as("messages the loop saw out of order").hasValue(0);
            assertThat(offLoopThread).as("drains that ran off the loop's thread").hasValue(0);
            assertThat(loop.wakeUps.get()).as("wake-ups for %,d messages", ROUND_TRIP_MESSAGES)
                    .isPositive().isLessThan(ROUND_TRIP_MESSAGES / 10);
        }
    }

    @Test
    void aBurstThatArrivesWhileTheLoopIsBusyCostsOneWakeUpAndIdleCostsNone() throws Exception {
        try (Weft weft = quickToClose()) {
            AtomicInteger wakeUps = new AtomicInteger();
            Semaphore woken = new Semaphore(0);
            Bridge<Integer> bridge = weft.spawn(new Bridge<>("burst", Integer.class, 1024, () -> {
                wakeUps.incrementAndGet();
                woken.release();
            }));

            for (int i = 0; i < 1000; i++) {
                assertThat(bridge.inbox.trySend(i)).isTrue();
            }
            assertThat(wakeUps).as("wake-ups for a burst of 1000 while nobody drains").hasValue(1);

            List<Integer> got = new ArrayList<>();
            assertThat(bridge.drain(got::add, 10_000)).isEqualTo(1000);
            assertThat(got).hasSize(1000).startsWith(0, 1, 2).endsWith(999);
            assertThat(woken.tryAcquire(1, 200, TimeUnit.MILLISECONDS)).as("the burst's one wake-up").isTrue();
            assertThat(woken.tryAcquire(1, 200, TimeUnit.MILLISECONDS)).as("a wake-up while idle").isFalse();
            assertThat(wakeUps).hasValue(1);

            bridge.inbox.trySend(1000);
            assertThat(wakeUps).as("the next message after a drain fires again").hasValue(2);
            assertThat(bridge.poll()).isEqualTo(1000);
        }
    }

    @Test
    void aPartialDrainDoesNotRearmTheHook() throws Exception {
        try (Weft weft = quickToClose()) {
            AtomicInteger wakeUps = new AtomicInteger();
            Bridge<Integer> bridge = weft.spawn(new Bridge<>("partial", Integer.class, wakeUps::incrementAndGet));
            bridge.inbox.trySend(1);
            bridge.inbox.trySend(2);

            assertThat(bridge.drain(m -> { }, 1)).as("handled at most max").isEqualTo(1);
            bridge.inbox.trySend(3);
            assertThat(wakeUps).as("no wake-up before the integrator drained to empty").hasValue(1);

            assertThat(bridge.drain(m -> { }, 10)).isEqualTo(2);
            bridge.inbox.trySend(4);
            assertThat(wakeUps).hasValue(2);
        }
    }

    @Test
    void manyProducersNeverStrandAMessageAndKeepPerSenderOrder() throws Exception {
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10));
                ForeignLoop loop = new ForeignLoop("foreign-loop")) {
            Bridge<long[]> bridge = weft.spawn(new Bridge<>("fan-in", long[].class, 256, loop::wakeup));
            long[] next = new long[PRODUCERS];
            AtomicInteger errors = new AtomicInteger();
            CompletableFuture<Void> all = new CompletableFuture<>();
            long[] total = {0};
            loop.start(() -> {
                long[] m;
                while ((m = bridge.poll()) != null) {
                    if (m[1] != next[(int) m[0]]++) {
                        errors.incrementAndGet();
                    }
                    watchdog.progress().incrementAndGet();
                    if (++total[0] == (long) PRODUCERS * PER_PRODUCER) {
                        all.complete(null);
                    }
                }
            });
            for (int p = 0; p < PRODUCERS; p++) {
                long producer = p;
                Thread.ofVirtual().start(() -> {
                    try {
                        for (long i = 0; i < PER_PRODUCER; i++) {
                            bridge.inbox.send(new long[] {producer, i});
                        }
                    } catch (InterruptedException e) {
                        all.completeExceptionally(e);
                    }
                });
            }

            watchdog.await(all);
            assertThat(errors).as("messages out of per-sender order").hasValue(0);
            assertThat(next).containsOnly(PER_PRODUCER);
        }
    }

    @Test
    void anExecutorBridgeRunsItsHandlerOnlyOnTheExecutorAndNeverConcurrently() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("integrator-", 0).factory());
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger violations = new AtomicInteger();
            AtomicInteger expected = new AtomicInteger();
            CompletableFuture<Void> all = new CompletableFuture<>();
            Bridge<Integer> bridge = weft.spawn(Bridge.onExecutor("pool", Integer.class, executor, m -> {
                if (inside.incrementAndGet() != 1 || !Thread.currentThread().getName().startsWith("integrator-")
                        || m != expected.getAndIncrement()) {
                    violations.incrementAndGet();
                }
                watchdog.progress().incrementAndGet();
                inside.decrementAndGet();
                if (m == EXECUTOR_MESSAGES - 1) {
                    all.complete(null);
                }
            }));
            Source source = new Source(EXECUTOR_MESSAGES);
            weft.link(source.outbox, bridge.inbox);
            weft.spawn(source);

            watchdog.await(all);
            assertThat(violations).as("handler calls off the executor, concurrent or out of order").hasValue(0);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aSecondThreadPollingWhileADrainRunsIsRefusedClearly() throws Exception {
        try (Weft weft = quickToClose()) {
            Bridge<String> bridge = weft.spawn(new Bridge<>("single", String.class, () -> { }));
            bridge.inbox.trySend("held");
            CountDownLatch inHandler = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread drainer = Thread.ofPlatform().name("drainer").start(() -> bridge.drain(m -> {
                inHandler.countDown();
                awaitUninterruptibly(release);
            }, 10));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(bridge::poll).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("being drained by").hasMessageContaining("drainer");
            assertThatThrownBy(() -> bridge.inbox.poll()).isInstanceOf(IllegalStateException.class);
            release.countDown();
            drainer.join();
            assertThat(bridge.poll()).as("free again once the drain returned").isNull();
        }
    }

    @Test
    void aBlockingReceiveOnABridgeIsRefusedInsteadOfHanging() throws Exception {
        try (Weft weft = quickToClose()) {
            Bridge<String> bridge = weft.spawn(new Bridge<>("no-thread", String.class, () -> { }));
            bridge.inbox.trySend("x");
            AtomicReference<Throwable> thrown = new AtomicReference<>();

            bridge.drain(m -> {
                try {
                    bridge.inbox.receive();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, 1);

            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("no thread");
        }
    }

    @Test
    void closingTheRuntimeEndsABridgeOnceItsLoopHasDrainedIt() throws Exception {
        ForeignLoop loop = new ForeignLoop("foreign-loop");
        List<String> seen = new ArrayList<>();
        Weft weft = Weft.builder().shutdownGrace(Duration.ofSeconds(10)).start();
        Bridge<String> bridge = weft.spawn(new Bridge<>("closing", String.class, loop::wakeup));
        loop.start(() -> bridge.drain(seen::add, Integer.MAX_VALUE));
        bridge.inbox.send("last words");

        weft.close();
        loop.close();

        assertThat(bridge.state()).isEqualTo(ComponentState.FINISHED);
        assertThat(seen).containsExactly("last words");
        assertThatThrownBy(() -> bridge.inbox.trySend("late")).isInstanceOf(InboxClosedException.class);
    }

    @Test
    void closingTheRuntimeStopsABridgeNobodyDrains() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ofMillis(50)).start();
        Bridge<String> bridge = weft.spawn(new Bridge<>("abandoned", String.class, () -> { }));
        bridge.inbox.trySend("never read");

        weft.close();

        assertThat(bridge.state()).isEqualTo(ComponentState.STOPPED);
        assertThat(bridge.poll()).isNull();
    }

    @Test
    void aThrowingHookLosesNoMessageAndIsTriedAgainOnTheNextDelivery() throws Exception {
        try (Weft weft = quickToClose()) {
            AtomicInteger calls = new AtomicInteger();
            Bridge<String> bridge = weft.spawn(new Bridge<>("flaky", String.class, () -> {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("hook failed");
                }
            }));

            assertThat(bridge.inbox.trySend("a")).isTrue();
            assertThat(bridge.inbox.trySend("b")).isTrue();

            assertThat(calls).hasValue(2);
            assertThat(bridge.poll()).isEqualTo("a");
            assertThat(bridge.poll()).isEqualTo("b");
        }
    }

    @Test
    void aThrowingExecutorHandlerFailsTheBridgeAndTellsTheFailureListener() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CompletableFuture<Terminated> reported = new CompletableFuture<>();
        try (Weft weft = Weft.builder().onFailure(reported::complete).start()) {
            Bridge<String> bridge = weft.spawn(Bridge.onExecutor("doomed", String.class, executor, m -> {
                throw new IllegalArgumentException("cannot handle " + m);
            }));

            bridge.inbox.send("poison");

            Terminated end = bridge.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).hasMessage("cannot handle poison");
            assertThat(reported.get(10, TimeUnit.SECONDS).component()).isSameAs(bridge);
        } finally {
            executor.shutdownNow();
        }
    }

    /** A runtime that does not wait long for bridges nobody drains any more. */
    private static Weft quickToClose() {
        return Weft.builder().shutdownGrace(Duration.ofMillis(50)).start();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
