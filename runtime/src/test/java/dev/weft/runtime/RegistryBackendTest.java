package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The registry with a backend: two runtimes share services through an in-memory backend, and
 * everything goes through {@code weft.services()} as it does without one.
 */
class RegistryBackendTest {
    private static final ServiceKey<String> SHARED = ServiceKey.of("shared.greeter", String.class);
    private static final ServiceKey<String> LOCAL = ServiceKey.of("local.greeter", String.class);
    private static final long WATCHDOG_SECONDS = 10;
    private static final int RACERS = 8;

    /**
     * A cluster in one JVM: one map of providers shared by every runtime that installs a view of
     * it. It shares the keys named "shared.*". One lock orders everything, events included, except
     * withdrawals: the registry calls {@code unregistered} under its own lock, which the listeners
     * take, so a withdrawal only queues (it must not block) and the next call applies it, as a real
     * backend applies it asynchronously.
     */
    /** Starts a runtime whose registry has {@code cluster} as its backend. */
    private static Weft sharing(SharedMap cluster) {
        Weft weft = Weft.start();
        weft.services().install(cluster.view());
        return weft;
    }

    static final class SharedMap {
        final ReentrantLock lock = new ReentrantLock();
        final java.util.Queue<ServiceEvent.Up<?>> withdrawals = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final Map<String, Inbox<?>> providers = new HashMap<>();
        final Map<String, List<Consumer<ServiceEvent>>> listeners = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        RegistryBackend view() {
            return new RegistryBackend() {
                @Override
                public boolean shares(ServiceKey<?> key) {
                    return key.name().startsWith("shared.");
                }

                @Override
                public <T> void registered(ServiceKey<T> key, Inbox<T> inbox) {
                    lock.lock();
                    try {
                        applyWithdrawals();
                        calls.add("registered " + key.name());
                        Inbox<?> there = providers.putIfAbsent(key.name(), inbox);
                        if (there != null) {
                            throw new IllegalStateException(key.name() + " is provided by " + there);
                        }
                        tell(new ServiceEvent.Up<>(key, inbox));
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public void unregistered(ServiceKey<?> key, Inbox<?> inbox) {
                    withdrawals.add((ServiceEvent.Up<?>) up(key, inbox));
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> Sink<T> lookup(ServiceKey<T> key) {
                    lock.lock();
                    try {
                        applyWithdrawals();
                        return (Sink<T>) providers.get(key.name());
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public <T> Sink<T> lookupOrStart(ServiceKey<T> key, Starter<T> startHere) throws InterruptedException {
                    lock.lock(); // held across the start: one start in the whole "cluster"
                    try {
                        Sink<T> found = lookup(key);
                        return found != null ? found : startHere.start();
                    } finally {
                        lock.unlock();
                    }
                }

                @Override
                public AutoCloseable watch(ServiceKey<?> key, Consumer<ServiceEvent> listener) {
                    lock.lock();
                    try {
                        applyWithdrawals();
                        listeners.computeIfAbsent(key.name(), n -> new ArrayList<>()).add(listener);
                        Inbox<?> now = providers.get(key.name());
                        if (now != null) {
                            listener.accept(up(key, now));
                        }
                    } finally {
                        lock.unlock();
                    }
                    return () -> {
                        lock.lock();
                        try {
                            listeners.get(key.name()).remove(listener);
                        } finally {
                            lock.unlock();
                        }
                    };
                }
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static ServiceEvent up(ServiceKey<?> key, Inbox<?> inbox) {
            return new ServiceEvent.Up(key, inbox);
        }

        /** Applies the queued withdrawals, in order; under lock. */
        private void applyWithdrawals() {
            for (ServiceEvent.Up<?> gone = withdrawals.poll(); gone != null; gone = withdrawals.poll()) {
                calls.add("unregistered " + gone.key().name());
                if (providers.remove(gone.key().name(), gone.sink())) {
                    tell(new ServiceEvent.Down(gone.key()));
                }
            }
        }

        private void tell(ServiceEvent event) {
            for (Consumer<ServiceEvent> l : listeners.getOrDefault(event.key().name(), List.of())) {
                l.accept(event);
            }
        }
    }

    /** Watches {@link #SHARED} and hands every event to a queue the test reads. */
    static final class Watcher extends Component {
        final java.util.concurrent.BlockingQueue<Signal> events = new java.util.concurrent.LinkedBlockingQueue<>();
        final CountDownLatch watching = new CountDownLatch(1);

        @Override
        protected void run() throws InterruptedException {
            services().watch(SHARED, this);
            watching.countDown();
            for (;;) {
                events.put(control.receive());
            }
        }
    }

    /** Keeps an inbox until shut down. */
    static final class Provider extends Component {
        final Inbox<String> inbox = inbox(String.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    @Test
    void aServiceRegisteredInOneRuntimeIsFoundFromAnother() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = sharing(cluster); Weft b = sharing(cluster)) {
            Provider p = a.spawn(new Provider());
            a.services().register(SHARED, p.inbox);

            Sink<String> found = b.services().lookup(SHARED);

            assertThat(found).as("b finds a's provider through the backend").isSameAs(p.inbox);
            found.send("hello");
            assertThat(p.inbox.size()).isEqualTo(1);
            assertThat(b.services().names()).as("it is not registered in b").isEmpty();
        }
    }

    @Test
    void aProviderThatTheBackendRefusesIsNotLeftRegisteredHere() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = sharing(cluster); Weft b = sharing(cluster)) {
            Provider first = a.spawn(new Provider());
            Provider second = b.spawn(new Provider());
            a.services().register(SHARED, first.inbox);

            assertThatThrownBy(() -> b.services().register(SHARED, second.inbox))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is provided by");

            assertThat(b.services().names()).isEmpty();
            assertThat(b.services().lookup(SHARED)).isSameAs(first.inbox);
        }
    }

    @Test
    void aProviderThatEndsIsWithdrawnFromTheBackend() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = sharing(cluster); Weft b = sharing(cluster)) {
            Provider p = a.spawn(new Provider());
            a.services().register(SHARED, p.inbox);

            p.shutdown();
            p.join(Duration.ofSeconds(WATCHDOG_SECONDS));

            assertThat(b.services().lookup(SHARED)).as("no stale provider elsewhere").isNull();
            assertThat(cluster.calls).containsExactly("registered shared.greeter", "unregistered shared.greeter");
        }
    }

    @Test
    void lookupOrStartRacingInTwoRuntimesStartsOneProvider() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = Weft.start(); Weft b = Weft.start();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            a.services().install(cluster.view());
            b.services().install(cluster.view());
            AtomicInteger starts = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Sink<String>>> found = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                Weft w = i % 2 == 0 ? a : b;
                found.add(threads.submit(() -> {
                    go.await();
                    return w.services().lookupOrStart(SHARED, x -> {
                        starts.incrementAndGet();
                        return x.spawn(new Provider()).inbox;
                    });
                }));
            }
            go.countDown();
            Sink<String> first = found.getFirst().get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
            for (Future<Sink<String>> f : found) {
                assertThat(f.get(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(starts).as("one start across both runtimes").hasValue(1);
        }
    }

    @Test
    void aWatcherOfASharedKeyHearsTheBackendOnceForEveryChange() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = sharing(cluster); Weft b = sharing(cluster)) {
            Watcher watcher = a.spawn(new Watcher());
            assertThat(watcher.watching.await(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isTrue();

            Provider there = b.spawn(new Provider());
            b.services().register(SHARED, there.inbox);
            there.shutdown();
            there.join(Duration.ofSeconds(WATCHDOG_SECONDS));
            Provider here = a.spawn(new Provider());
            a.services().register(SHARED, here.inbox);

            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                    .isEqualTo(new ServiceEvent.Up<>(SHARED, there.inbox));
            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new ServiceEvent.Down(SHARED));
            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                    .isEqualTo(new ServiceEvent.Up<>(SHARED, here.inbox));
            here.shutdown();
            here.join(Duration.ofSeconds(WATCHDOG_SECONDS));
            assertThat(b.services().lookup(SHARED)).isNull();
            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                    .as("a local provider is told once, by the backend: no second Up before its Down")
                    .isEqualTo(new ServiceEvent.Down(SHARED));
            a.services().unwatch(SHARED, watcher);
            assertThat(cluster.listeners.get(SHARED.name())).as("the last unwatch ends the backend's watch").isEmpty();
        }
    }

    @Test
    void aWatchMadeBeforeTheBackendCameIsStillToldLocally() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = Weft.start()) {
            Watcher watcher = a.spawn(new Watcher());
            assertThat(watcher.watching.await(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isTrue();
            a.services().install(cluster.view());

            Provider here = a.spawn(new Provider());
            a.services().register(SHARED, here.inbox);
            here.shutdown();
            here.join(Duration.ofSeconds(WATCHDOG_SECONDS));

            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                    .as("the backend does not feed this watch, so the registry tells it")
                    .isEqualTo(new ServiceEvent.Up<>(SHARED, here.inbox));
            assertThat(watcher.events.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new ServiceEvent.Down(SHARED));
            assertThat(cluster.calls).as("and the provider was published").contains("registered shared.greeter");
        }
    }

    @Test
    void aKeyTheBackendDoesNotShareNeverReachesIt() throws Exception {
        SharedMap cluster = new SharedMap();
        try (Weft a = sharing(cluster); Weft b = sharing(cluster)) {
            Provider p = a.spawn(new Provider());
            a.services().register(LOCAL, p.inbox);

            assertThat(b.services().lookup(LOCAL)).isNull();
            assertThat(a.services().lookup(LOCAL)).isSameAs(p.inbox);
            p.shutdown();
            p.join(Duration.ofSeconds(WATCHDOG_SECONDS));
            assertThat(cluster.calls).isEmpty();
        }
    }

    @Test
    void aRuntimeHasOneBackendAndForgetsItWhenUninstalled() throws Exception {
        SharedMap cluster = new SharedMap();
        RegistryBackend view = cluster.view();
        try (Weft a = Weft.start(); Weft b = Weft.start()) {
            a.services().install(view);
            b.services().install(cluster.view());
            assertThatThrownBy(() -> a.services().install(cluster.view()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has the backend");
            Provider p = b.spawn(new Provider());
            b.services().register(SHARED, p.inbox);
            assertThat(a.services().lookup(SHARED)).isSameAs(p.inbox);

            a.services().uninstall(view);

            assertThat(a.services().lookup(SHARED)).as("only local services now").isNull();
        }
    }
}
