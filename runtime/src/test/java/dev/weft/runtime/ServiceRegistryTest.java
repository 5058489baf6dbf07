package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServiceRegistryTest {
    private static final ServiceKey<String> GREETER = ServiceKey.of("greeter", String.class);
    private static final int RACERS = 100;

    /** Answers nothing; exists to provide an inbox until shut down. */
    static final class Provider extends Component {
        final Inbox<String> inbox = inbox(String.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    /** Forwards every service event on its control inbox to a queue the test reads. */
    static final class Watcher extends Component {
        final BlockingQueue<Signal> events = new LinkedBlockingQueue<>();
        final CountDownLatch watching = new CountDownLatch(1);

        @Override
        protected void run() throws InterruptedException {
            services().watch(GREETER, this);
            watching.countDown();
            for (;;) {
                events.put(control.receive());
            }
        }
    }

    @Test
    void lookupOrStartStartsExactlyOneInstanceWhenAHundredComponentsRace() throws Exception {
        try (Weft weft = Weft.start()) {
            AtomicInteger starts = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Set<Sink<String>> seen = ConcurrentHashMap.newKeySet();
            List<Component> racers = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                racers.add(weft.spawn(new Component() {
                    @Override
                    protected void run() throws InterruptedException {
                        go.await();
                        seen.add(services().lookupOrStart(GREETER, w -> {
                            starts.incrementAndGet();
                            return w.spawn(new Provider()).inbox;
                        }));
                    }
                }));
            }

            go.countDown();
            for (Component racer : racers) {
                assertThat(racer.join(Duration.ofSeconds(10)).state()).isEqualTo(ComponentState.FINISHED);
            }

            assertThat(starts).as("starter invocations").hasValue(1);
            assertThat(seen).hasSize(1);
            assertThat(weft.services().lookup(GREETER)).isSameAs(seen.iterator().next());
        }
    }

    @Test
    void aServiceIsForgottenWhenItsProviderEndsAndTheNextLookupStartsANewOne() throws Exception {
        try (Weft weft = Weft.start()) {
            Provider first = weft.spawn(new Provider());
            weft.services().register(GREETER, first.inbox);
            assertThat(weft.services().lookup(GREETER)).isSameAs(first.inbox);

            first.shutdown();
            first.join(Duration.ofSeconds(10));

            assertThat(weft.services().lookup(GREETER)).isNull();
            assertThat(weft.services().names()).doesNotContain("greeter");
            Sink<String> second = weft.services().lookupOrStart(GREETER, w -> w.spawn(new Provider()).inbox);
            assertThat(second).isNotSameAs(first.inbox);
            assertThat(second.trySend("hello")).as("a running provider takes messages").isTrue();
        }
    }

    @Test
    void lookupOrStartFailsWithAWeftExceptionWhenTheProviderEndsBeforeItIsRegistered() throws Exception {
        try (Weft weft = Weft.start()) {
            assertThatThrownBy(() -> weft.services().lookupOrStart(GREETER, w -> {
                Provider doomed = w.spawn(new Provider());
                doomed.shutdown();
                try {
                    doomed.join(Duration.ofSeconds(10));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return doomed.inbox;
            }))
                    .isInstanceOf(WeftException.class)
                    .hasMessageContaining("greeter")
                    .hasMessageContaining("ended");

            Sink<String> next = weft.services().lookupOrStart(GREETER, w -> w.spawn(new Provider()).inbox);
            assertThat(next.trySend("hello")).as("the next call starts the service again, and it takes messages").isTrue();
        }
    }

    @Test
    void lookupOrStartWrapsWhatTheStarterThrowsInAWeftException() throws Exception {
        try (Weft weft = Weft.start()) {
            IllegalArgumentException broken = new IllegalArgumentException("no greeter configured");

            assertThatThrownBy(() -> weft.services().lookupOrStart(GREETER, w -> {
                throw broken;
            }))
                    .isInstanceOf(WeftException.class)
                    .hasMessageContaining("greeter")
                    .hasCause(broken);
        }
    }

    @Test
    void watchersAreToldWhenTheServiceAppearsAndGoesInOrder() throws Exception {
        try (Weft weft = Weft.start()) {
            Watcher watcher = weft.spawn(new Watcher());
            assertThat(watcher.watching.await(10, TimeUnit.SECONDS)).isTrue();

            Provider provider = weft.spawn(new Provider());
            weft.services().register(GREETER, provider.inbox);
            provider.shutdown();
            provider.join(Duration.ofSeconds(10));
            Provider again = weft.spawn(new Provider());
            weft.services().register(GREETER, again.inbox);
            weft.services().unregister(GREETER);

            List<Signal> events = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                events.add(watcher.events.poll(10, TimeUnit.SECONDS));
            }
            assertThat(events).containsExactly(
                    new ServiceEvent.Up<>(GREETER, provider.inbox),
                    new ServiceEvent.Down(GREETER),
                    new ServiceEvent.Up<>(GREETER, again.inbox),
                    new ServiceEvent.Down(GREETER));
        }
    }

    @Test
    void aLateWatcherIsToldAtOnceThatTheServiceIsUp() throws Exception {
        try (Weft weft = Weft.start()) {
            Provider provider = weft.spawn(new Provider());
            weft.services().register(GREETER, provider.inbox);

            Watcher watcher = weft.spawn(new Watcher());

            assertThat(watcher.events.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(new ServiceEvent.Up<>(GREETER, provider.inbox));
        }
    }

    @Test
    void endedWatchersAreForgottenEvenWhenTheServiceNeverChanges() throws Exception {
        try (Weft weft = Weft.start()) {
            for (int i = 0; i < 50; i++) {
                Watcher watcher = weft.spawn(new Watcher());
                assertThat(watcher.watching.await(10, TimeUnit.SECONDS)).isTrue();
                watcher.stop();
                watcher.join(Duration.ofSeconds(10));
            }

            assertThat(weft.services().watcherCount(GREETER)).as("watchers kept for an unchanged key")
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void registeringANameTwiceIsAClearError() throws Exception {
        try (Weft weft = Weft.start()) {
            Provider one = weft.spawn(new Provider());
            Provider two = weft.spawn(new Provider());
            weft.services().register(GREETER, one.inbox);

            assertThatThrownBy(() -> weft.services().register(GREETER, two.inbox))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already provided by");
            assertThat(weft.services().lookup(GREETER)).isSameAs(one.inbox);
        }
    }

    @Test
    void aKeyOfTheWrongTypeIsRejected() throws Exception {
        try (Weft weft = Weft.start()) {
            Provider provider = weft.spawn(new Provider());
            weft.services().register(GREETER, provider.inbox);

            ServiceKey<Integer> wrong = ServiceKey.of("greeter", Integer.class);
            assertThatThrownBy(() -> weft.services().lookup(wrong)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFailingStarterLetsTheNextCallerTryAgain() throws Exception {
        try (Weft weft = Weft.start()) {
            assertThatThrownBy(() -> weft.services().lookupOrStart(GREETER, w -> {
                throw new IllegalStateException("no luck");
            })).isInstanceOf(WeftException.class).hasMessageEndingWith("failed: no luck");

            CompletableFuture<Sink<String>> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return weft.services().lookupOrStart(GREETER, w -> w.spawn(new Provider()).inbox);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(second.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
