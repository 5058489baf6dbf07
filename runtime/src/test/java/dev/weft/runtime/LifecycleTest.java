package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int CLOSE_COUNT = 10_000;

    static final class Echo extends Component {
        final Inbox<String> inbox = inbox(String.class);
        final Outbox<String> outbox = outbox(String.class);

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, control);
                if (ready == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                } else {
                    outbox.send(inbox.poll());
                }
            }
        }
    }

    static final class Collector extends Component {
        final Inbox<String> inbox = inbox(String.class);
        final java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                seen.put(inbox.receive());
            }
        }
    }

    /** Spawns a child that throws, and reports the Terminated that arrives on its own control inbox. */
    static final class Parent extends Component {
        final CompletableFuture<Terminated> childEnded = new CompletableFuture<>();

        @Override
        protected void run() throws InterruptedException {
            spawn(new Component("doomed") {
                @Override
                protected void run() {
                    throw new IllegalStateException("boom");
                }
            });
            for (;;) {
                if (control.receive() instanceof Terminated t) {
                    childEnded.complete(t);
                    return;
                }
            }
        }
    }

    @Test
    void aThrowingComponentReportsTerminatedWithItsCauseAndOthersKeepRunning() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());
            Collector collector = weft.spawn(new Collector());
            echo.outbox.linkTo(collector.inbox);
            Parent parent = weft.spawn(new Parent());

            Terminated news = parent.childEnded.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(news.state()).isEqualTo(ComponentState.FAILED);
            assertThat(news.failed()).isTrue();
            assertThat(news.component().name()).isEqualTo("doomed");
            assertThat(news.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(news.component().termination().get()).isSameAs(news);
            assertThat(weft.meterRegistry().get("weft.components.failed").functionCounter().count()).isEqualTo(1);

            echo.inbox.send("still alive");
            assertThat(collector.seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("still alive");
            assertThat(echo.state()).isEqualTo(ComponentState.RUNNING);
            assertThat(parent.join().state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void shutdownSignalEndsACooperativeComponentNormally() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());

            echo.shutdown();

            Terminated news = echo.join(WAIT);
            assertThat(news.state()).isEqualTo(ComponentState.FINISHED);
            assertThat(news.cause()).isNull();
        }
    }

    @Test
    void stopInterruptsABlockedBodyAndEndsItStopped() throws Exception {
        try (Weft weft = Weft.start()) {
            Collector collector = weft.spawn(new Collector());
            Probes.awaitParked(collector);

            collector.stop();

            assertThat(collector.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
        }
    }

    @Test
    void watchersAndFuturesLearnOfTheEndEvenWhenTheyWatchLate() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());
            final class Watcher extends Component {
                final CompletableFuture<Terminated> seen = new CompletableFuture<>();

                @Override
                protected void run() throws InterruptedException {
                    watch(echo);
                    seen.complete((Terminated) control.receive());
                }
            }
            Watcher early = weft.spawn(new Watcher());
            CompletableFuture<Terminated> future = echo.termination();

            echo.shutdown();
            Terminated news = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Watcher late = weft.spawn(new Watcher());

            assertThat(early.seen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(news);
            assertThat(late.seen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(news);
        }
    }

    @Test
    void everyWatcherLearnsOfTheEndEvenIfItsClassSaysAllAreEqual() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());
            CountDownLatch watching = new CountDownLatch(2);
            final class AllEqual extends Component {
                final CompletableFuture<Terminated> seen = new CompletableFuture<>();

                @Override
                protected void run() throws InterruptedException {
                    watch(echo);
                    watching.countDown();
                    seen.complete((Terminated) control.receive());
                }

                @Override
                public boolean equals(Object o) {
                    return o instanceof AllEqual;
                }

                @Override
                public int hashCode() {
                    return 1;
                }
            }
            AllEqual first = weft.spawn(new AllEqual());
            AllEqual second = weft.spawn(new AllEqual());
            assertThat(watching.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            echo.shutdown();

            assertThat(first.seen.get(WAIT.toSeconds(), TimeUnit.SECONDS).component()).isSameAs(echo);
            assertThat(second.seen.get(WAIT.toSeconds(), TimeUnit.SECONDS).component()).isSameAs(echo);
        }
    }

    @Test
    void sendingToAnEndedComponentFailsClearly() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());
            echo.shutdown();
            echo.join(WAIT);

            assertThatThrownBy(() -> echo.inbox.send("late"))
                    .isInstanceOf(InboxClosedException.class)
                    .hasMessageContaining("finished");
            assertThat(weft.meterRegistry().get("weft.messages.dead").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void aComponentCanBeSpawnedOnlyOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            Echo echo = weft.spawn(new Echo());
            assertThatThrownBy(() -> weft.spawn(echo)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void onlyTheOwnerMayReceive() throws Exception {
        try (Weft weft = Weft.start()) {
            Collector collector = weft.spawn(new Collector());
            assertThatThrownBy(() -> collector.inbox.poll())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only");
        }
    }

    @Test
    void closeEndsTenThousandCooperativeComponentsThroughShutdownWithoutWaitingTheGrace() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ofMinutes(5)).start();
        List<Component> components = spawnMany(weft, CLOSE_COUNT, Echo::new);

        CompletableFuture.runAsync(weft::close).get(60, TimeUnit.SECONDS);

        assertThat(weft.liveComponents()).isZero();
        assertThat(components).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.FINISHED));
        assertThatThrownBy(() -> weft.spawn(new Echo())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeInterruptsTenThousandComponentsThatIgnoreShutdown() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ZERO).start();
        CountDownLatch allRunning = new CountDownLatch(CLOSE_COUNT);
        List<Component> components = spawnMany(weft, CLOSE_COUNT, () -> new Component() {
            final Inbox<String> inbox = inbox(String.class);

            @Override
            protected void run() throws InterruptedException {
                allRunning.countDown();
                inbox.receive();
            }
        });
        assertThat(allRunning.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        CompletableFuture.runAsync(weft::close).get(60, TimeUnit.SECONDS);

        assertThat(weft.liveComponents()).isZero();
        assertThat(components).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.STOPPED));
    }

    @Test
    void anInterruptedCloseStillStopsWhatIsRunningAndKeepsTheInterrupt() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ofHours(1)).start();
        CountDownLatch running = new CountDownLatch(1);
        Component stubborn = weft.spawn(new Component("stubborn") {
            final Inbox<String> inbox = inbox(String.class);

            @Override
            protected void run() throws InterruptedException {
                running.countDown();
                inbox.receive();                  // ignores Shutdown
            }
        });
        assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        // when: the thread that closes is interrupted during the grace
        CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            weft.close();
            interruptKept.complete(Thread.currentThread().isInterrupted());
        });

        // then
        assertThat(interruptKept.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("close keeps the interrupt").isTrue();
        assertThat(stubborn.join(WAIT).state()).as("close interrupted the component before giving up waiting")
                .isEqualTo(ComponentState.STOPPED);
    }

    private static List<Component> spawnMany(Weft weft, int count, java.util.function.Supplier<Component> factory) {
        List<Component> components = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            components.add(weft.spawn(factory.get()));
        }
        assertThat(weft.liveComponents()).isEqualTo(count);
        return components;
    }
}
