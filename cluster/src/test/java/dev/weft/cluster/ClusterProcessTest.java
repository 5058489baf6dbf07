package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Terminated;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runtimes in child JVMs on 127.0.0.1, one etcd: registry, links, watches, kill -9, restarts. */
class ClusterProcessTest {
    /** The lease TTL of the child runtimes, short so a test waits little for an expiry. */
    private static final long TTL_SECONDS = 4;
    private static final long GRACE_MILLIS = 2_000;
    private static final int MESSAGES = 2_000;

    private ClusterEtcd etcd;
    private final List<NodeProcess> nodes = new ArrayList<>();

    @BeforeEach
    void startEtcd() throws Exception {
        etcd = new ClusterEtcd();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess n : nodes) {
            n.close();
        }
        etcd.close();
    }

    private NodeProcess node(String name, int port) throws Exception {
        NodeProcess n = NodeProcess.start(etcd, name, TTL_SECONDS, port);
        nodes.add(n);
        return n;
    }

    @Test
    void threeRuntimesRegisterFindAndLinkToEachOther() throws Exception {
        List<NodeProcess> three = List.of(node("n1", 0), node("n2", 0), node("n3", 0));
        for (NodeProcess n : three) {
            n.ask("serve inbox-" + n.name, "served");
        }

        for (NodeProcess from : three) {
            for (NodeProcess to : three) {
                if (from != to) {
                    from.ask("send inbox-" + to.name + " " + from.name + " " + MESSAGES, "sent");
                }
            }
        }

        for (NodeProcess n : three) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NodeProcess.ANSWER_SECONDS);
            String tally;
            do {
                tally = n.ask("tally inbox-" + n.name, "tally");
            } while (!tally.endsWith(" " + 2 * MESSAGES + " true") && !tally.endsWith(" false")
                    && System.nanoTime() < deadline);
            assertThat(tally).as("each runtime got every message of both others, each sender's in order")
                    .isEqualTo("tally inbox-" + n.name + " " + 2 * MESSAGES + " true");
        }
    }

    @Test
    void killMinus9OfAProviderTellsEveryWatcherInTimeAndOneNewProviderStarts() throws Exception {
        NodeProcess provider = node("p", 0);
        NodeProcess w1 = node("w1", 0);
        NodeProcess w2 = node("w2", 0);
        assertThat(provider.ask("start shared", "provider")).isEqualTo("provider shared p " + provider.incarnation);
        assertThat(w1.ask("start shared", "provider")).isEqualTo("provider shared p " + provider.incarnation);
        assertThat(w2.ask("start shared", "provider")).isEqualTo("provider shared p " + provider.incarnation);
        w1.ask("watch shared", "watching shared p");
        w2.ask("watch shared", "watching shared p");

        long killed = System.nanoTime();
        provider.kill();

        String expected = "terminated shared p " + provider.incarnation + " STOPPED"; // its runtime is gone
        assertThat(w1.await("terminated")).isEqualTo(expected);
        assertThat(w2.await("terminated")).isEqualTo(expected);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertThat(tookMillis).as("both watchers heard within the lease TTL + 2 s")
                .isLessThanOrEqualTo(TTL_SECONDS * 1000 + GRACE_MILLIS);

        // when: both survivors race to get the service again
        w1.tell("start shared");
        w2.tell("start shared");
        String p1 = w1.await("provider");
        String p2 = w2.await("provider");

        // then: it started exactly once, and both use that one
        List<String> started = new ArrayList<>(w1.unclaimed("started"));
        started.addAll(w2.unclaimed("started"));
        assertThat(started).as("the starter ran in exactly one runtime").containsExactly("started shared");
        assertThat(p1).isEqualTo(p2).isIn("provider shared w1 " + w1.incarnation, "provider shared w2 " + w2.incarnation);
    }

    @Test
    void aRestartedRuntimeIsNeverTakenForItsPreviousIncarnation() throws Exception {
        int port = freePort();
        NodeProcess first = node("r", port);
        first.ask("serve svc", "served");
        ClusterEtcd.Node observer = etcd.node("observer", 16);
        ServiceKey<String> svc = ServiceKey.of("svc", String.class);
        RemoteAddress old = observer.cluster().locate(svc);
        assertThat(old.incarnation()).isEqualTo(Long.parseLong(first.incarnation, 16));
        Receivers.Listener gone = observer.weft().spawn(new Receivers.Listener());
        observer.cluster().watch(old, gone);

        first.kill();
        assertThat(gone.signals.poll(NodeProcess.ANSWER_SECONDS, TimeUnit.SECONDS))
                .as("the old incarnation's service went with its lease")
                .isInstanceOfSatisfying(Terminated.class, t -> assertThat(t.state()).isEqualTo(ComponentState.STOPPED));
        NodeProcess second = node("r", port);
        second.ask("serve svc", "served");

        // then: same name, same host:port, a new incarnation; the old address reaches nothing
        assertThat(second.incarnation).isNotEqualTo(first.incarnation);
        assertThatThrownBy(() -> observer.cluster().connect(old, Codec.strings()))
                .isInstanceOf(LinkBrokenException.class)
                .hasMessageContaining("incarnation " + first.incarnation)
                .hasMessageContaining("this is r incarnation " + second.incarnation);
        Sink<String> fresh = observer.lookup(svc, Codec.strings());
        for (int i = 0; i < 3; i++) {
            fresh.send("observer:" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NodeProcess.ANSWER_SECONDS);
        String tally;
        do {
            tally = second.ask("tally svc", "tally");
        } while (!tally.equals("tally svc 3 true") && System.nanoTime() < deadline);
        assertThat(tally).as("only what was sent to the new incarnation arrived there").isEqualTo("tally svc 3 true");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
