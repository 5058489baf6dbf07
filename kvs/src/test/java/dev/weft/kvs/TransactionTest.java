package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransactionTest {
    private static final int WRITERS = 8;
    private static final int INCREMENTS_PER_WRITER = 500;

    private final Kvs kvs = Kvs.inMemory();
    private final Namespace ns = kvs.primary();

    @AfterEach
    void close() {
        kvs.close();
    }

    @Test
    void commitAppliesEveryOperationAtOnceAndReturnsTheNextRootVersion() throws Exception {
        long before = ns.version();

        long v = ns.commit(new Txn().put("a.b", "1").put("a.c", "2").mkdir("d").append("log", "x"));

        assertThat(v).isEqualTo(before + 1);
        assertThat(ns.version()).isEqualTo(v);
        View view = ns.at(v);
        assertThat(view.getString("a.b")).isEqualTo("1");
        assertThat(view.getString("a.c")).isEqualTo("2");
        assertThat(view.isDirectory("d")).isTrue();
        assertThat(view.getString("log")).isEqualTo("x");
        assertThat(view.keyVersion("a.b")).isEqualTo(v);
        assertThat(ns.at(before).exists("a")).as("the previous version is untouched").isFalse();
    }

    @Test
    void failedPreconditionCommitsNothingAndNamesTheConflictingKey() throws Exception {
        long v1 = ns.commit(new Txn().put("counter", "1"));
        ns.commit(new Txn().put("counter", "2"));

        assertThatThrownBy(() -> ns.commit(new Txn().put("other", "x").require("counter", v1).put("counter", "3")))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.key()).isEqualTo("counter");
                    assertThat(e.expected()).isEqualTo(v1);
                    assertThat(e.actual()).isEqualTo(v1 + 1);
                });

        assertThat(ns.version()).as("a failed commit makes no version").isEqualTo(v1 + 1);
        assertThat(ns.getString("counter")).isEqualTo("2");
        assertThat(ns.get("other")).isNull();
    }

    @Test
    void absentPreconditionRequiresTheKeyToBeMissing() throws Exception {
        ns.commit(new Txn().require("lock", Txn.ABSENT).put("lock", "me"));

        assertThatThrownBy(() -> ns.commit(new Txn().require("lock", Txn.ABSENT).put("lock", "you")))
                .isInstanceOf(ConflictException.class);
        assertThat(ns.getString("lock")).isEqualTo("me");
    }

    @Test
    void invalidOperationCommitsNothingOfItsTransaction() throws Exception {
        ns.commit(new Txn().put("a", "value"));
        long v = ns.version();

        assertThatThrownBy(() -> ns.commit(new Txn().put("b", "1").put("a.child", "2")))
                .isInstanceOf(KvsException.class).hasMessageContaining("not a directory");

        assertThat(ns.version()).isEqualTo(v);
        assertThat(ns.get("b")).isNull();
    }

    @Test
    void directoriesListSortedAndUnlinkRecursively() throws Exception {
        ns.commit(new Txn().put("jobs.2.state", "run").put("jobs.1.state", "done").put("jobs.1.out", "ok"));

        assertThat(ns.list("jobs")).containsExactly("1", "2");
        assertThat(ns.list("jobs.1")).containsExactly("out", "state");
        assertThat(ns.list(".")).contains("jobs");

        ns.commit(new Txn().unlink("jobs.1"));

        assertThat(ns.list("jobs")).containsExactly("2");
        assertThat(ns.latest().exists("jobs.1.out")).isFalse();
        assertThatThrownBy(() -> ns.list("jobs.2.state")).isInstanceOf(KvsException.class);
        assertThatThrownBy(() -> ns.get("jobs")).isInstanceOf(KvsException.class).hasMessageContaining("directory");
    }

    @Test
    void appendsExtendAValueWhileOlderVersionsKeepTheirBytes() throws Exception {
        long v1 = ns.commit(new Txn().append("stream", "a"));
        long v2 = ns.commit(new Txn().append("stream", "b"));
        long v3 = ns.commit(new Txn().append("stream", "c").append("stream", "d"));

        assertThat(ns.at(v1).getString("stream")).isEqualTo("a");
        assertThat(ns.at(v2).getString("stream")).isEqualTo("ab");
        assertThat(ns.at(v3).getString("stream")).isEqualTo("abcd");
    }

    @Test
    void appendingFromAnOlderVersionDoesNotDisturbTheNewer() throws Exception {
        ns.commit(new Txn().put("s", "ab"));
        long v = ns.commit(new Txn().append("s", "cd"));
        ns.commit(new Txn().put("s", "ab"));
        long w = ns.commit(new Txn().append("s", "XY"));

        assertThat(ns.at(v).getString("s")).isEqualTo("abcd");
        assertThat(ns.at(w).getString("s")).isEqualTo("abXY");
    }

    @Test
    void readsAtARetainedOlderVersionAndRefusesOnesNoLongerKept() throws Exception {
        int retained = kvs.options().retainVersions();
        long first = ns.commit(new Txn().put("k", "0"));
        for (int i = 1; i <= retained; i++) {
            ns.commit(new Txn().put("k", Integer.toString(i)));
        }

        assertThat(ns.at(first + 1).getString("k")).isEqualTo("1");
        assertThatThrownBy(() -> ns.at(first)).isInstanceOf(VersionNotRetainedException.class);
        assertThatThrownBy(() -> ns.at(ns.version() + 1)).isInstanceOf(VersionNotRetainedException.class);
    }

    @Test
    void versionsStayMonotonicUnderEightConcurrentWriters() throws Exception {
        ns.commit(new Txn().put("counter", "0"));
        long start = ns.version();
        List<ConcurrentLinkedQueue<Long>> versions = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(WRITERS);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int w = 0; w < WRITERS; w++) {
            ConcurrentLinkedQueue<Long> mine = new ConcurrentLinkedQueue<>();
            versions.add(mine);
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < INCREMENTS_PER_WRITER; i++) {
                        mine.add(increment());
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).as("writers finished").isTrue();
        assertThat(failures).isEmpty();

        List<Long> all = new ArrayList<>();
        for (ConcurrentLinkedQueue<Long> mine : versions) {
            List<Long> seq = new ArrayList<>(mine);
            assertThat(seq).as("one writer's versions grow").isSorted().doesNotHaveDuplicates();
            all.addAll(seq);
        }
        assertThat(all).as("every commit got its own version").doesNotHaveDuplicates()
                .hasSize(WRITERS * INCREMENTS_PER_WRITER)
                .allSatisfy(v -> assertThat(v).isBetween(start + 1, start + WRITERS * INCREMENTS_PER_WRITER));
        assertThat(ns.getString("counter")).isEqualTo(Integer.toString(WRITERS * INCREMENTS_PER_WRITER));
        assertThat(ns.version()).isEqualTo(start + WRITERS * INCREMENTS_PER_WRITER);
    }

    /** Compare-and-set increment, retried on conflict. */
    private long increment() throws InterruptedException {
        for (;;) {
            View view = ns.latest();
            long seen = view.keyVersion("counter");
            int n = Integer.parseInt(view.getString("counter"));
            try {
                return ns.commit(new Txn().require("counter", seen).put("counter", Integer.toString(n + 1)));
            } catch (ConflictException retry) {
                // someone else incremented first
            }
        }
    }

    @Test
    void waitVersionReturnsOnceTheVersionIsReached() throws Exception {
        long target = ns.version() + 3;
        CountDownLatch waiting = new CountDownLatch(1);
        var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                ns.waitVersion(target);
                return ns.version();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        waiting.await();
        var later = ns.whenVersion(target);
        for (int i = 0; i < 3; i++) {
            ns.commit(new Txn().put("tick", Integer.toString(i)));
        }

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(target);
        assertThat(later.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(target);
        assertThat(ns.waitVersion(target + 100, java.time.Duration.ofMillis(20))).isFalse();
    }

    @Test
    void namespacesHaveOwnersAndSeparateVersions() throws Exception {
        Namespace jobs = kvs.createNamespace("jobs", "alice");
        jobs.commit(new Txn().put("x", "1"));
        jobs.commit(new Txn().put("x", "2"));

        assertThat(kvs.namespaces()).extracting(NamespaceInfo::name).containsExactly("jobs", Kvs.PRIMARY);
        assertThat(kvs.namespace("jobs").owner()).isEqualTo("alice");
        assertThat(jobs.version()).isEqualTo(2);
        assertThat(ns.latest().exists("x")).isFalse();
        assertThatThrownBy(() -> kvs.createNamespace("jobs", "bob")).isInstanceOf(KvsException.class);

        kvs.removeNamespace("jobs");

        assertThat(kvs.namespaces()).extracting(NamespaceInfo::name).containsExactly(Kvs.PRIMARY);
        assertThatThrownBy(() -> jobs.commit(new Txn().put("x", "3"))).isInstanceOf(KvsException.class)
                .hasMessageContaining("removed");
        assertThatThrownBy(() -> kvs.namespace("jobs")).isInstanceOf(KvsException.class);
    }
}
