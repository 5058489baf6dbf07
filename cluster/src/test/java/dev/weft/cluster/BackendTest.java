package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ServiceEvent;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Terminated;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster as the backend of {@code weft.services()}: watches that see every runtime, and a
 * runtime that loses its lease while it lives and comes back.
 */
class BackendTest {
    private static final long WATCHDOG_SECONDS = 30;

    private static ClusterEtcd etcd;
    private static ClusterEtcd.Node a;
    private static ClusterEtcd.Node b;

    @BeforeAll
    static void start() throws Exception {
        etcd = new ClusterEtcd();
        a = etcd.node(etcd.options("a").withLeaseTtl(Duration.ofSeconds(60)));
        b = etcd.node(etcd.options("b").withLeaseTtl(Duration.ofSeconds(60)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static ServiceKey<String> fresh(String name) {
        return ServiceKey.of(name + "-" + System.nanoTime(), String.class);
    }

    @Test
    void aRegistryWatchHearsOfProvidersInOtherRuntimesAndInItsOwn() throws Exception {
        // given: a watches a shared key through its own registry
        ServiceKey<String> key = fresh("watched");
        a.cluster().share(key, Codec.strings());
        b.cluster().share(key, Codec.strings());
        Receivers.Listener watcher = a.weft().spawn(new Receivers.Listener());
        a.weft().services().watch(key, watcher);

        // when: b registers a provider
        Receivers.Collector there = b.weft().spawn(new Receivers.Collector("there", 16, true));
        b.weft().services().register(key, there.in);

        // then: a hears Up with a sink that reaches b's inbox
        Signal up = watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        assertThat(up).isInstanceOf(ServiceEvent.Up.class);
        @SuppressWarnings("unchecked")
        Sink<String> sink = (Sink<String>) ((ServiceEvent.Up<?>) up).sink();
        assertThat(sink).isInstanceOfSatisfying(RemoteSink.class,
                r -> assertThat(r.address().runtime()).isEqualTo("b"));
        sink.send("from a's watch");
        assertThat(there.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("from a's watch");

        // when: b's provider ends, then a registers its own
        there.shutdown();
        assertThat(watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new ServiceEvent.Down(key));
        Receivers.Collector here = a.weft().spawn(new Receivers.Collector("here", 16, true));
        a.weft().services().register(key, here.in);

        // then: a hears Up with its own inbox, and nothing more
        assertThat(watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(new ServiceEvent.Up<>(key, here.in));
        here.shutdown();
        assertThat(watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new ServiceEvent.Down(key));
        assertThat(watcher.signals).as("no duplicate from the local registry").isEmpty();
        watcher.shutdown();
    }

    @Test
    void aKeyThatIsNotSharedStaysInItsRuntime() throws Exception {
        ServiceKey<String> key = fresh("local");
        Receivers.Collector here = a.weft().spawn(new Receivers.Collector("local", 16, true));
        a.weft().services().register(key, here.in);

        assertThat(a.cluster().locate(key)).as("not published").isNull();
        b.cluster().share(key, Codec.strings());
        assertThat(b.weft().services().lookup(key)).as("b cannot see it").isNull();
        assertThat(a.weft().services().lookup(key)).isSameAs(here.in);
        here.shutdown();
    }

    @Test
    void aRuntimeWhoseLeaseIsLostTakesANewOneAndPutsItsServicesBack() throws Exception {
        // given: a runtime with a short lease provides a service; b watches it through its registry
        // and through a stand-in for the provider
        ServiceKey<String> key = fresh("phoenix");
        ClusterEtcd.Node c = etcd.node(etcd.options("c").withLeaseTtl(Duration.ofSeconds(3)));
        Receivers.Collector provider = c.weft().spawn(new Receivers.Collector("phoenix", 16, true));
        RemoteAddress before = c.register(key, provider.in, Codec.strings());
        long lost = c.cluster().incarnation();
        b.cluster().share(key, Codec.strings());
        Receivers.Listener registryWatch = b.weft().spawn(new Receivers.Listener());
        b.weft().services().watch(key, registryWatch);
        assertThat(registryWatch.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ServiceEvent.Up.class);
        Receivers.Listener standInWatch = b.weft().spawn(new Receivers.Listener());
        RemoteComponent standIn = b.cluster().watch(before, standInWatch);

        // when: the lease is revoked behind c's back, as if it had expired during a partition
        try (Client outsider = Client.builder().endpoints(etcd.etcd.endpoint()).build()) {
            outsider.getLeaseClient().revoke(lost).get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        }

        // then: the others see the service go, and the old incarnation's stand-in stopped
        assertThat(registryWatch.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new ServiceEvent.Down(key));
        Signal t = standInWatch.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        assertThat(t).isInstanceOfSatisfying(Terminated.class, term -> {
            assertThat(term.component()).isSameAs(standIn);
            assertThat(term.state()).as("its runtime's lease is gone").isEqualTo(ComponentState.STOPPED);
        });

        // and: c comes back as a new incarnation with the same provider, and it takes messages
        Signal again = registryWatch.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        assertThat(again).as("c put its service back").isInstanceOf(ServiceEvent.Up.class);
        RemoteSink<?> link = (RemoteSink<?>) ((ServiceEvent.Up<?>) again).sink();
        assertThat(link.address().incarnation()).isNotEqualTo(lost).isEqualTo(c.cluster().incarnation());
        assertThat(link.address().component()).isEqualTo(before.component());
        @SuppressWarnings("unchecked")
        Sink<String> sink = (Sink<String>) b.weft().services().lookup(key);
        sink.send("after the partition");
        assertThat(provider.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("after the partition");
        registryWatch.shutdown();
        standInWatch.shutdown();
    }
}
