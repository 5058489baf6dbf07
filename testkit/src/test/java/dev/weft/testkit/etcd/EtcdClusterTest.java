package dev.weft.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EtcdClusterTest {
    /** Acknowledged puts before the kill, and again while the member is down. */
    private static final int ACKS_PER_PHASE = 30;

    @Test
    void threeMembersStartHealthyAndAgreeOnOneLeader() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            assertThat(cluster.members()).hasSize(3).allSatisfy(m -> assertThat(m.isHealthy()).isTrue());
            assertThat(cluster.members().stream().map(EtcdProcess::endpoint).distinct()).hasSize(3);
            int leaders = 0;
            for (EtcdProcess m : cluster.members()) {
                leaders += m.isLeader() ? 1 : 0;
            }
            assertThat(leaders).isEqualTo(1);
            cluster.member(0).etcdctl("put", "k", "v");
            assertThat(cluster.member(2).etcdctl("get", "k", "--print-value-only")).isEqualTo("v");
        }
    }

    @Test
    void theClusterKeepsServingWhileItsLeaderIsKilledAndLosesNoAcknowledgedPut() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3)) {
            Set<String> acked = ConcurrentHashMap.newKeySet();
            Semaphore ackSignal = new Semaphore(0);
            AtomicBoolean running = new AtomicBoolean(true);
            List<Throwable> unexpected = new ArrayList<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; running.get(); i++) {
                    String key = String.format("w/%05d", i);
                    try {
                        // against every running member: etcdctl fails over to another endpoint
                        if (cluster.etcdctl("put", key, Integer.toString(i)).equals("OK")) {
                            acked.add(key);
                            ackSignal.release();
                        }
                    } catch (IOException e) {
                        // not acknowledged (the member died under the call): may or may not be there
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                        return;
                    }
                }
            });
            try {
                assertThat(ackSignal.tryAcquire(ACKS_PER_PHASE, 60, TimeUnit.SECONDS)).as("acks before the kill").isTrue();

                EtcdProcess victim = cluster.leader();
                victim.kill();

                ackSignal.drainPermits();
                assertThat(ackSignal.tryAcquire(ACKS_PER_PHASE, 60, TimeUnit.SECONDS))
                        .as("the two survivors keep acknowledging puts").isTrue();
                assertThat(victim.isAlive()).isFalse();
                assertThat(cluster.leader()).as("a new leader among the survivors").isNotSameAs(victim);

                victim.restart();
            } finally {
                running.set(false);
                writer.join();
            }
            assertThat(unexpected).isEmpty();
            assertThat(acked).hasSizeGreaterThanOrEqualTo(2 * ACKS_PER_PHASE);
            for (EtcdProcess m : cluster.members()) {
                // a linearizable read through each member, the restarted one included
                List<String> keys = List.of(m.etcdctl("get", "w/", "--prefix", "--keys-only").split("\\s+"));
                assertThat(keys).as("every acknowledged put, read through %s", m.name()).containsAll(acked);
            }
        }
    }
}
