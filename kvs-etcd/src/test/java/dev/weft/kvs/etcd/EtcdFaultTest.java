package dev.weft.kvs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.kvs.KvsException;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.OutcomeUnknownException;
import dev.weft.testkit.etcd.EtcdCluster;
import dev.weft.testkit.etcd.EtcdProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The etcd backend when etcd fails: a member killed with kill -9 in a cluster, a member that stops answering. */
class EtcdFaultTest {
    private static final int WRITERS = 4;
    /** Commits acknowledged before the kill, and again after it. */
    private static final int COMMITS_PER_PHASE = 40;
    private static final Duration WATCHDOG = Duration.ofSeconds(60);

    @Test
    void aThreeMemberClusterKeepsCommittingWhileItsLeaderIsKilledAndLosesNoAcknowledgedCommit() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3);
                EtcdKvs store = EtcdKvs.connect(EtcdKvsOptions.of(cluster.endpoints().split(","))
                        .withCallTimeout(Duration.ofSeconds(5)))) {
            Namespace ns = store.primary();
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger unknown = new AtomicInteger();
            Semaphore acks = new Semaphore(0);
            AtomicBoolean running = new AtomicBoolean(true);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int me = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; running.get(); i++) {
                        String key = "w" + me + "." + i;
                        try {
                            acknowledged.put(key, ns.put(key, key));
                            acks.release();
                        } catch (OutcomeUnknownException e) {
                            unknown.incrementAndGet();      // may or may not be there: not counted
                        } catch (KvsException e) {
                            unknown.incrementAndGet();      // a member that is gone refused to talk: not counted either
                        } catch (Throwable e) {
                            failures.add(e);
                            return;
                        }
                    }
                }));
            }
            assertThat(acks.tryAcquire(COMMITS_PER_PHASE, WATCHDOG.toSeconds(), TimeUnit.SECONDS))
                    .as("%d commits before the kill", COMMITS_PER_PHASE).isTrue();

            EtcdProcess leader = cluster.leader();
            leader.kill();
            acks.drainPermits();
            assertThat(acks.tryAcquire(COMMITS_PER_PHASE, WATCHDOG.toSeconds(), TimeUnit.SECONDS))
                    .as("%d more commits with the leader dead", COMMITS_PER_PHASE).isTrue();

            running.set(false);
            for (Thread t : writers) {
                assertThat(t.join(WATCHDOG)).isTrue();
            }
            assertThat(failures).isEmpty();
            for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                assertThat(ns.getString(e.getKey())).as("acknowledged commit of %s at %d", e.getKey(), e.getValue())
                        .isEqualTo(e.getKey());
                assertThat(ns.at(e.getValue()).getString(e.getKey())).isEqualTo(e.getKey());
            }
            leader.restart();
            assertThat(ns.put("after.restart", "yes")).as("the cluster takes the member back").isPositive();
        }
    }

    @Test
    void aPausedEtcdFailsCallsWithOutcomeUnknownWithinTheTimeoutAndServesAgainWhenItResumes() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start();
                EtcdKvs store = EtcdKvs.connect(EtcdKvsOptions.of(etcd.endpoint()).withCallTimeout(Duration.ofMillis(500)))) {
            Namespace ns = store.primary();
            long before = ns.put("k", "before");

            signal(etcd, "STOP");
            try {
                assertThatThrownBy(() -> ns.put("k", "while paused")).isInstanceOf(OutcomeUnknownException.class)
                        .hasMessageContaining("may or may not");
                assertThatThrownBy(() -> ns.get("k")).isInstanceOf(OutcomeUnknownException.class);
                assertThatThrownBy(() -> ns.withTimeout(Duration.ofMillis(100)).version())
                        .isInstanceOf(OutcomeUnknownException.class);
            } finally {
                signal(etcd, "CONT");
            }

            long after = ns.withTimeout(Duration.ofSeconds(30)).put("k", "after");
            assertThat(after).isGreaterThan(before);
            assertThat(ns.getString("k")).isEqualTo("after");
        }
    }

    private static void signal(EtcdProcess etcd, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(etcd.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, etcd.pid()).isZero();
    }
}
