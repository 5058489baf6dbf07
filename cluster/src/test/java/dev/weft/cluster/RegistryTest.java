package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry across runtimes, with several runtimes in this JVM. Their leases last a minute, so
 * whatever these tests see within their watchdogs came from a deleted key, not an expired lease.
 */
class RegistryTest {
    private static final int RUNTIMES = 4;
    private static final long WATCHDOG_SECONDS = 30;
    private static final Duration LONG_LEASE = Duration.ofSeconds(60);

    private static ClusterEtcd etcd;
    private static final List<ClusterEtcd.Node> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        nodes.clear();
        etcd = new ClusterEtcd();
        for (int i = 0; i < RUNTIMES; i++) {
            nodes.add(etcd.node(etcd.options("r" + i).withLeaseTtl(LONG_LEASE).withWindow(32)));
        }
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
    void aNameHasOneProviderInTheWholeCluster() throws Exception {
        ServiceKey<String> key = fresh("one");
        Receivers.Collector first = nodes.get(0).weft().spawn(new Receivers.Collector("first", 16, true));
        Receivers.Collector second = nodes.get(1).weft().spawn(new Receivers.Collector("second", 16, true));
        nodes.get(0).cluster().register(key, first.in, Codec.strings());

        assertThatThrownBy(() -> nodes.get(1).cluster().register(key, second.in, Codec.strings()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already provided in the cluster by").hasMessageContaining("r0");
        assertThat(nodes.get(1).weft().services().lookup(key)).as("the refused one is not left registered locally")
                .isNull();
        first.shutdown();
        second.shutdown();
    }

    @Test
    void aCodecOfAnotherTypeIsRefusedBeforeAnythingIsSent() {
        // given: a key for strings and, through an unchecked cast, a codec for byte arrays
        ServiceKey<String> key = fresh("typed");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Codec<String> wrong = (Codec) Codec.bytes();
        assertThatThrownBy(() -> nodes.get(0).cluster().lookup(key, wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encodes [B");
    }

    @Test
    void lookupOrStartRacingInEveryRuntimeStartsExactlyOneProvider() throws Exception {
        ServiceKey<String> key = fresh("race");
        AtomicInteger starts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Sink<String>>> found = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ClusterEtcd.Node n : nodes) {
                found.add(threads.submit(() -> {
                    go.await();
                    return n.cluster().lookupOrStart(key, Codec.strings(), w -> {
                        starts.incrementAndGet();
                        return w.spawn(new Receivers.Collector("provider", 64, true)).in;
                    });
                }));
            }
            go.countDown();
            List<String> providers = new ArrayList<>();
            for (int i = 0; i < RUNTIMES; i++) {
                Sink<String> s = found.get(i).get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
                providers.add(s instanceof RemoteSink<String> r ? r.address().runtime() : nodes.get(i).cluster().runtime());
            }
            assertThat(starts.get()).as("the starter ran once in the cluster").isEqualTo(1);
            assertThat(providers).as("every runtime got the one provider").containsOnly(providers.getFirst());
        }
    }

    @Test
    void aStarterThatFailsWithdrawsItsClaimSoTheNextCallStartsIt() throws Exception {
        ServiceKey<String> key = fresh("fails");
        assertThatThrownBy(() -> nodes.get(0).cluster().lookupOrStart(key, Codec.strings(), w -> {
            throw new IllegalStateException("no disk");
        })).isInstanceOf(ClusterException.class).hasMessageContaining("no disk");

        Sink<String> started = nodes.get(1).cluster().lookupOrStart(key, Codec.strings(),
                w -> w.spawn(new Receivers.Collector("second-try", 16, true)).in);
        assertThat(started).isInstanceOf(Inbox.class);
        assertThat(nodes.get(0).cluster().locate(key).runtime()).isEqualTo("r1");
    }

    @Test
    void aProviderThatEndsLeavesAtOnceAndItsWatchersAndSendersHear() throws Exception {
        ServiceKey<String> key = fresh("ends");
        Receivers.Collector provider = nodes.get(1).weft().spawn(new Receivers.Collector("ends", 16, true));
        RemoteAddress at = nodes.get(1).cluster().register(key, provider.in, Codec.strings());
        Receivers.Listener watcher = nodes.get(0).weft().spawn(new Receivers.Listener());
        nodes.get(0).cluster().watch(at, watcher);
        Sender sender = nodes.get(2).weft().spawn(new Sender());
        nodes.get(2).cluster().link(sender.out, nodes.get(2).cluster().lookup(key, Codec.strings()));
        sender.in.send("over the link");
        assertThat(provider.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("over the link");

        provider.shutdown();

        Signal w = watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        assertThat(w).isInstanceOf(RemoteTerminated.class);
        assertThat(((RemoteTerminated) w).address()).isEqualTo(at);
        Signal s = sender.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        assertThat(s).as("the sender's control inbox hears of the broken link").isInstanceOf(LinkBroken.class);
        assertThat(((LinkBroken) s).cause()).hasMessageContaining("has ended");
        assertThat(nodes.get(3).cluster().locate(key)).as("no stale entry").isNull();
    }

    @Test
    void watchingAServiceThatHasGoneAlreadyTellsAtOnce() throws Exception {
        ServiceKey<String> key = fresh("gone");
        Receivers.Collector provider = nodes.get(1).weft().spawn(new Receivers.Collector("gone", 16, true));
        RemoteAddress at = nodes.get(1).cluster().register(key, provider.in, Codec.strings());
        provider.shutdown();
        provider.join();
        Receivers.Listener watcher = nodes.get(0).weft().spawn(new Receivers.Listener());

        nodes.get(0).cluster().watch(at, watcher);

        assertThat(watcher.signals.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isInstanceOf(RemoteTerminated.class);
    }

    /** Sends on its outbox what comes to its inbox, and keeps the signals it is told. */
    static final class Sender extends Component {
        final Inbox<String> in = inbox("in", String.class);
        final Outbox<String> out = outbox("out", String.class);
        final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            while (true) {
                if (select(in, control) == in) {
                    out.send(in.poll());
                    continue;
                }
                Signal s = control.poll();
                if (s instanceof Shutdown) {
                    return;
                }
                signals.add(s);
            }
        }
    }
}
