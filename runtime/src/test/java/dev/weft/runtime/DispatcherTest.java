package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The dispatcher on its own, driven by {@link TestUnit}s that behave like actors. */
class DispatcherTest {
    private static final Duration NEVER = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void everyMessageIsHandledExactlyOnceWithNoOverlappingTurnsUnderExternalAndInTurnPosts() throws Exception {
        int units = 200;
        int posters = 4;
        int perPoster = 50_000;
        int forwards = 200_000;
        try (Dispatcher d = new Dispatcher(Runtime.getRuntime().availableProcessors(), NEVER);
                Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            AtomicLong handled = new AtomicLong();
            AtomicInteger forwardsLeft = new AtomicInteger(forwards);
            long expected = (long) posters * perPoster + forwards;
            CompletableFuture<Void> done = new CompletableFuture<>();
            List<TestUnit> all = new ArrayList<>();
            for (int i = 0; i < units; i++) {
                all.add(new TestUnit("u" + i, d, 8));
            }
            for (TestUnit u : all) {
                u.onMessage(self -> {
                    if (forwardsLeft.getAndDecrement() > 0) {
                        all.get(ThreadLocalRandom.current().nextInt(units)).post();
                    }
                    watchdog.progress().incrementAndGet();
                    if (handled.incrementAndGet() == expected) {
                        done.complete(null);
                    }
                });
            }
            for (int p = 0; p < posters; p++) {
                Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perPoster; i++) {
                        all.get(ThreadLocalRandom.current().nextInt(units)).post();
                    }
                });
            }

            watchdog.await(done);

            long posted = 0;
            for (TestUnit u : all) {
                assertThat(u.overlaps.get()).as("overlapping turns of %s", u).isZero();
                assertThat(u.handled()).as("messages %s handled (a plain counter: turns must be ordered)", u)
                        .isEqualTo(u.posted.get());
                posted += u.posted.get();
            }
            assertThat(posted).isEqualTo(expected);
            assertThat(d.workersStarted()).as("worker threads started (never one per turn or unit)")
                    .isLessThanOrEqualTo(d.parallelism());
        }
    }

    @Test
    void aChainOfHandOffsRunsOnOneWarmWorker() throws Exception {
        int handOffs = 200_000;
        try (Dispatcher d = new Dispatcher(2, NEVER); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            AtomicLong count = new AtomicLong();
            TestUnit[] pair = new TestUnit[2];
            for (int i = 0; i < 2; i++) {
                int other = 1 - i;
                pair[i] = new TestUnit("p" + i, d, 64).onMessage(self -> {
                    watchdog.progress().incrementAndGet();
                    if (count.incrementAndGet() == handOffs) {
                        done.complete(null);
                    } else {
                        pair[other].post();
                    }
                });
            }

            pair[0].post();
            watchdog.await(done);

            assertThat(pair[0].threads).as("threads that ran ping's turns").hasSize(1);
            assertThat(pair[1].threads).as("pong's turns ran on ping's thread").isEqualTo(pair[0].threads);
            assertThat(d.workersStarted()).as("workers started for one chain").isEqualTo(1);
        }
    }

    @Test
    void aUnitReadiedBehindAChainRunsOnceTheChainsSliceIsUsed() throws Exception {
        try (Dispatcher d = new Dispatcher(1, NEVER)) {
            AtomicLong chainTurns = new AtomicLong();
            AtomicLong chainTurnsWhenOtherRan = new AtomicLong(-1);
            AtomicBoolean stop = new AtomicBoolean();
            TestUnit other = new TestUnit("other", d, 64)
                    .onMessage(self -> chainTurnsWhenOtherRan.compareAndSet(-1, chainTurns.get()));
            TestUnit[] pair = new TestUnit[2];
            for (int i = 0; i < 2; i++) {
                int next = 1 - i;
                pair[i] = new TestUnit("p" + i, d, 64).onMessage(self -> {
                    if (chainTurns.incrementAndGet() == 1) {
                        other.post();                       // into run-next, then pushed behind by the next post
                    }
                    if (!stop.get()) {
                        pair[next].post();
                    }
                });
            }

            pair[0].post();
            Probes.awaitCondition(() -> chainTurnsWhenOtherRan.get() >= 0, "the other unit to run");
            stop.set(true);

            assertThat(chainTurnsWhenOtherRan.get()).as("chain turns before the unit queued behind it ran")
                    .isLessThanOrEqualTo(Worker.RUN_NEXT_LIMIT + 1);
        }
    }

    @Test
    void aUnitSubmittedFromOutsideGetsATurnWhileAChainKeepsItsWorkerBusy() throws Exception {
        try (Dispatcher d = new Dispatcher(1, NEVER)) {
            AtomicLong chainTurns = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            TestUnit[] pair = new TestUnit[2];
            for (int i = 0; i < 2; i++) {
                int next = 1 - i;
                pair[i] = new TestUnit("p" + i, d, 64).onMessage(self -> {
                    chainTurns.incrementAndGet();
                    if (!stop.get()) {
                        pair[next].post();
                    }
                });
            }
            pair[0].post();
            Probes.awaitCondition(() -> chainTurns.get() > 1_000, "the chain to run");
            AtomicLong chainTurnsWhenItRan = new AtomicLong(-1);

            new TestUnit("outside", d, 64).onMessage(self -> chainTurnsWhenItRan.set(chainTurns.get())).post();
            long queued = chainTurns.get();                 // at the latest: the unit was queued before

            Probes.awaitCondition(() -> chainTurnsWhenItRan.get() >= 0, "the outside unit to run");
            stop.set(true);
            assertThat(chainTurnsWhenItRan.get() - queued)
                    .as("chain turns the global queue waited (it is looked at every 61 turns)")
                    .isLessThanOrEqualTo(61 + Worker.RUN_NEXT_LIMIT);
        }
    }

    @Test
    void aTurnAboutToBlockInsideWeftHandsItsQueuedUnitsToAnotherWorker() throws Exception {
        try (Dispatcher d = new Dispatcher(1, NEVER)) {
            CountDownLatch readiedRan = new CountDownLatch(1);
            TestUnit readied = new TestUnit("readied", d, 64).onMessage(self -> readiedRan.countDown());
            AtomicReference<Boolean> blockerSawIt = new AtomicReference<>();
            TestUnit blocker = new TestUnit("blocker", d, 64).onMessage(self -> {
                readied.post();                                   // into this worker's run-next
                Dispatcher.aboutToBlock();
                try {
                    blockerSawIt.set(readiedRan.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            blocker.post();

            assertThat(readiedRan.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the unit readied by the blocked turn ran meanwhile").isTrue();
            Probes.awaitCondition(() -> blockerSawIt.get() != null, "the blocked turn to end");
            assertThat(blockerSawIt.get()).isTrue();
            assertThat(readied.threads).as("where the readied unit ran").doesNotContainAnyElementsOf(blocker.threads);
            assertThat(d.handOffs()).isEqualTo(1);
            assertThat(d.retakes()).isZero();
            Probes.awaitCondition(() -> d.liveWorkers() == 1, "the blocked worker to retire");
        }
    }

    @Test
    void aTurnStuckOutsideWeftIsReplacedByTheMonitor() throws Exception {
        try (Dispatcher d = new Dispatcher(1, Duration.ofMillis(20))) {
            CountDownLatch readiedRan = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            TestUnit readied = new TestUnit("readied", d, 64).onMessage(self -> readiedRan.countDown());
            TestUnit stuck = new TestUnit("stuck", d, 64).onMessage(self -> {
                readied.post();                                   // into this worker's run-next
                try {
                    release.await();                              // blocks without telling the dispatcher
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            stuck.post();

            assertThat(readiedRan.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the unit readied by the stuck turn ran meanwhile").isTrue();
            assertThat(d.retakes()).as("slots the monitor retook").isGreaterThanOrEqualTo(1);
            release.countDown();
            Probes.awaitCondition(() -> d.liveWorkers() == 1, "the stuck worker to retire once its turn ended");
            assertThat(stuck.overlaps.get() + readied.overlaps.get()).isZero();
        }
    }

    @Test
    void idleWorkersStealFromABusyWorkersRunQueue() throws Exception {
        int readied = 10;
        try (Dispatcher d = new Dispatcher(2, NEVER)) {
            CountDownLatch stolen = new CountDownLatch(readied - 1);
            List<TestUnit> units = new ArrayList<>();
            for (int i = 0; i < readied; i++) {
                units.add(new TestUnit("r" + i, d, 64).onMessage(self -> stolen.countDown()));
            }
            AtomicReference<Boolean> busySawThem = new AtomicReference<>();
            TestUnit busy = new TestUnit("busy", d, 64).onMessage(self -> {
                units.forEach(TestUnit::post);                 // the last in run-next, the rest in the run queue
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (stolen.getCount() > 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();                        // busy: only a thief can run them
                }
                busySawThem.set(stolen.getCount() == 0);
            });

            busy.post();

            Probes.awaitCondition(() -> busySawThem.get() != null, "the busy turn to end");
            assertThat(busySawThem.get()).as("the readied units ran while their worker was busy").isTrue();
            for (TestUnit u : units.subList(0, readied - 1)) {
                assertThat(u.threads).as("threads that ran %s", u).doesNotContainAnyElementsOf(busy.threads);
            }
        }
    }

    @Test
    void noWakeUpIsLostWhenWorkersGoIdleBetweenPosts() throws Exception {
        int posters = 4;
        int rounds = 10_000;
        try (Dispatcher d = new Dispatcher(2, NEVER); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int p = 0; p < posters; p++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                all.add(done);
                TestUnit unit = new TestUnit("u" + p, d, 64);
                Thread.ofPlatform().start(() -> {
                    for (int i = 1; i <= rounds; i++) {
                        unit.post();
                        while (unit.handled() < i) {
                            Thread.yield();                 // wait for this one before the next: idle every time
                        }
                        watchdog.progress().incrementAndGet();
                    }
                    done.complete(null);
                });
            }

            watchdog.await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));

            assertThat(watchdog.progress().get()).isEqualTo((long) posters * rounds);
        }
    }

    @Test
    void closeLetsEveryWorkerEnd() throws Exception {
        Dispatcher d = new Dispatcher(2, NEVER);
        CountDownLatch ran = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            new TestUnit("u" + i, d, 64).onMessage(self -> ran.countDown()).post();
        }
        assertThat(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        d.close();

        Probes.awaitCondition(() -> d.liveWorkers() == 0, "every worker to end");
        assertThat(d.freeSlots()).isEqualTo(2);
        CountDownLatch late = new CountDownLatch(1);
        new TestUnit("late", d, 64).onMessage(self -> late.countDown()).post();
        assertThat(late.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a unit submitted after close still runs")
                .isTrue();
    }
}
