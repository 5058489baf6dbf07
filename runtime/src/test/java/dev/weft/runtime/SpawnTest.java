package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Spawn, stop and close when they race each other, and spawns that are refused. */
class SpawnTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int STOP_RACES = 2_000;
    private static final int CLOSE_RACES = 300;

    /** Waits for a message nobody sends and ignores Shutdown, so only a stop ends it. */
    static final class Waiter extends Component {
        final Inbox<String> inbox = inbox(String.class);
        final AtomicBoolean ran = new AtomicBoolean();

        @Override
        protected void run() throws InterruptedException {
            ran.set(true);
            inbox.receive();
        }
    }

    /** An actor that handles nothing and ignores Shutdown, so only a stop ends it; records what ran. */
    static final class Idler extends Actor<String> {
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicBoolean handled = new AtomicBoolean();

        Idler() {
            super(String.class);
        }

        @Override
        protected void onStart() {
            started.set(true);
        }

        @Override
        protected void onMessage(String message) {
            handled.set(true);
        }

        @Override
        protected void onSignal(Signal signal) {
        }
    }

    /** A component whose start fails until told otherwise, as if no thread could be started. */
    static final class Unstartable extends Component {
        volatile boolean refuse = true;

        Unstartable() {
            super(null, self -> new Parking(self) {
                @Override
                void launch() {
                    if (((Unstartable) self).refuse) {
                        throw new IllegalStateException("no thread today");
                    }
                    super.launch();
                }
            });
        }

        @Override
        protected void run() {
        }
    }

    @Test
    void aStopRacingSpawnIsNeverLost() throws Exception {
        assertAStopRacingSpawnIsNeverLost(Waiter::new);
    }

    @Test
    void aStopRacingAnActorSpawnIsNeverLost() throws Exception {
        assertAStopRacingSpawnIsNeverLost(Idler::new);
    }

    private static void assertAStopRacingSpawnIsNeverLost(Supplier<? extends Component> components) throws Exception {
        try (Weft weft = Weft.start()) {
            for (int i = 0; i < STOP_RACES; i++) {
                Component component = components.get();
                CountDownLatch go = new CountDownLatch(1);
                Thread stopper = Thread.ofPlatform().start(() -> {
                    awaitQuietly(go);
                    component.stop();
                });
                go.countDown();
                weft.spawn(component);
                stopper.join();

                assertThat(component.termination().get(WAIT.toSeconds(), TimeUnit.SECONDS).state())
                        .as("race %d: the stop reached %s", i, component.name())
                        .isEqualTo(ComponentState.STOPPED);
            }
        }
    }

    @Test
    void aComponentStoppedBeforeItIsSpawnedEndsStoppedWithoutRunningItsBody() throws Exception {
        try (Weft weft = Weft.start()) {
            Waiter waiter = new Waiter();
            waiter.stop();

            weft.spawn(waiter);

            assertThat(waiter.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
            assertThat(waiter.ran).as("the body never ran").isFalse();
        }
    }

    @Test
    void anActorStoppedBeforeItIsSpawnedEndsStoppedWithoutRunningOnStartOrHandlingAnything() throws Exception {
        try (Weft weft = Weft.start()) {
            Idler actor = new Idler();
            actor.inbox.send("queued before the spawn");
            actor.stop();

            weft.spawn(actor);

            assertThat(actor.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
            assertThat(actor.started).as("onStart ran").isFalse();
            assertThat(actor.handled).as("a message was handled").isFalse();
        }
    }

    @Test
    void aBridgeStoppedBeforeItIsSpawnedEndsStoppedWhenSpawned() throws Exception {
        try (Weft weft = Weft.start()) {
            Bridge<String> bridge = new Bridge<>("loop", String.class, () -> { });
            bridge.stop();
            assertThat(bridge.state()).isEqualTo(ComponentState.CREATED);

            weft.spawn(bridge);

            assertThat(bridge.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
        }
    }

    @Test
    void aRefusedActorSpawnLeavesNoGhostAndCloseReturns() throws Exception {
        Weft weft = Weft.start();
        Actor<String> greedy = new Actor<>(String.class) {
            @Override
            protected void onMessage(String message) {
            }

            @Override
            protected int throughput() {
                return 0;
            }
        };

        assertThatThrownBy(() -> weft.spawn(greedy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("throughput");

        assertThat(weft.liveComponents()).as("nothing is left live").isZero();
        assertThat(greedy.state()).isEqualTo(ComponentState.CREATED);
        assertThat(greedy.runtime()).isNull();
        assertThat(weft.dispatcher().workersStarted()).as("workers started for a turn of the refused actor").isZero();
        closeWithin(weft);
    }

    @Test
    void aSpawnThatFailsToStartIsUndoneAndMayBeTriedAgain() throws Exception {
        Weft weft = Weft.start();
        Unstartable component = new Unstartable();

        assertThatThrownBy(() -> weft.spawn(component)).hasMessage("no thread today");

        assertThat(weft.liveComponents()).isZero();
        assertThat(component.state()).isEqualTo(ComponentState.CREATED);
        assertThat(component.runtime()).isNull();
        assertThat(weft.meterRegistry().get("weft.components.spawned").functionCounter().count()).isZero();
        component.refuse = false;
        weft.spawn(component);
        assertThat(component.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        closeWithin(weft);
    }

    @Test
    void aSpawnRacingCloseIsEitherRefusedOrEndedBeforeCloseReturns() throws Exception {
        raceSpawnWithClose(Waiter::new, (weft, refused, round) -> { });
    }

    @Test
    void anActorSpawnRacingCloseIsEitherRefusedWithNoTurnQueuedOrEndedBeforeCloseReturns() throws Exception {
        raceSpawnWithClose(Idler::new, (weft, refused, round) -> {
            assertThat(weft.dispatcher().workersStarted()).as("race %d: a refused actor spawn queued a turn", round)
                    .isZero();
            assertThat(refused.started).as("race %d: onStart of a refused actor ran", round).isFalse();
        });
    }

    /** What else must hold after a spawn that close refused. */
    interface AfterRefusal<C extends Component> {
        void check(Weft weft, C refused, int round);
    }

    /**
     * Races a spawn with close, many times: a component spawned must have ended STOPPED before close
     * returned (it ignores Shutdown and the grace is zero), a refused one is as it was.
     */
    private static <C extends Component> void raceSpawnWithClose(Supplier<C> components, AfterRefusal<C> afterRefusal)
            throws Exception {
        for (int i = 0; i < CLOSE_RACES; i++) {
            Weft weft = Weft.builder().shutdownGrace(Duration.ZERO).start();
            C component = components.get();
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Boolean> spawned = new CompletableFuture<>();
            Thread spawner = Thread.ofPlatform().start(() -> {
                awaitQuietly(go);
                try {
                    weft.spawn(component);
                    spawned.complete(true);
                } catch (IllegalStateException closing) {
                    spawned.complete(false);
                }
            });
            go.countDown();
            closeWithin(weft);
            spawner.join();

            if (spawned.get()) {
                assertThat(component.state()).as("race %d: %s spawned during close ended before close returned", i,
                        component.name()).isEqualTo(ComponentState.STOPPED);
            } else {
                assertThat(component.state()).as("race %d: a refused spawn left %s as it was", i, component.name())
                        .isEqualTo(ComponentState.CREATED);
                afterRefusal.check(weft, component, i);
            }
            assertThat(weft.liveComponents()).isZero();
        }
    }

    /** Closes {@code weft}, failing the test instead of hanging if close does not return. */
    private static void closeWithin(Weft weft) throws Exception {
        CompletableFuture.runAsync(weft::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
