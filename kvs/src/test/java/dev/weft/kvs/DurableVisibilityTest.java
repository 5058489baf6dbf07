package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Nobody ever reads a commit that is not durable yet": namespace changes and refused preconditions
 * become visible only once what they show is durable. Every store here forces each record on its own
 * ({@link FsyncMode#ALWAYS}), so a backlog of queued commits stays undurable for a while.
 */
class DurableVisibilityTest {
    /** Commits queued ahead of the operation under test. */
    private static final int BACKLOG = 400;
    /** Conflicting transactions mixed into the backlog. */
    private static final int REFUSALS = 40;

    @TempDir
    Path dir;
    private Kvs kvs;

    @BeforeEach
    void open() throws Exception {
        kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.ALWAYS).withRetainVersions(2 * BACKLOG));
    }

    @AfterEach
    void close() {
        kvs.close();
    }

    private List<String> names() {
        return kvs.namespaces().stream().map(NamespaceInfo::name).toList();
    }

    private static List<CompletableFuture<Long>> backlog(Namespace ns) {
        List<CompletableFuture<Long>> commits = new ArrayList<>(BACKLOG);
        for (int i = 0; i < BACKLOG; i++) {
            commits.add(ns.commitAsync(new Txn().put("k", Integer.toString(i))));
        }
        return commits;
    }

    /** Runs {@code body} on a virtual thread; its failure is added to {@code failures}. */
    private static Thread background(List<Throwable> failures, ThrowingRunnable body) {
        return Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        });
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void thePrimaryNamespaceCannotBeRemovedAndKeepsItsDataAcrossAReopen() throws Exception {
        long v = kvs.primary().commit(new Txn().put("kept", "yes"));

        assertThatThrownBy(() -> kvs.removeNamespace(Kvs.PRIMARY)).isInstanceOf(KvsException.class)
                .hasMessageContaining("primary");

        assertThat(names()).contains(Kvs.PRIMARY);
        assertThat(kvs.primary().getString("kept")).isEqualTo("yes");
        kvs.close();
        kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.ALWAYS));
        assertThat(kvs.primary().version()).as("the primary came back with its data, not empty").isEqualTo(v);
        assertThat(kvs.primary().getString("kept")).isEqualTo("yes");
    }

    @Test
    void aRemovedNamespaceStaysListedUntilTheRemovalAndEveryCommitBeforeItAreDurable() throws Exception {
        Namespace x = kvs.createNamespace("x", "test");
        List<CompletableFuture<Long>> commits = backlog(x);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<String> refusalsSeenWhileListed = new ConcurrentLinkedQueue<>();

        Thread remover = background(failures, () -> kvs.removeNamespace("x"));
        Thread committer = background(failures, () -> {
            for (;;) {
                try {
                    x.commit(new Txn().put("late", "x"));
                } catch (KvsException refused) {
                    if (names().contains("x")) {
                        refusalsSeenWhileListed.add(refused.getMessage());
                    }
                    return;
                }
            }
        });
        int samples = 0;
        while (remover.isAlive()) {
            boolean listed = names().contains("x");
            long durable = ((LocalNamespace) x).head().version();   // read after the listing: head only grows
            if (!listed) {
                assertThat(durable).as("x is gone from namespaces() while commits before its removal are not durable")
                        .isGreaterThanOrEqualTo(BACKLOG);
            }
            samples++;
            Thread.onSpinWait();
        }

        assertThat(remover.join(Duration.ofSeconds(60))).isTrue();
        assertThat(committer.join(Duration.ofSeconds(60))).isTrue();
        assertThat(failures).isEmpty();
        assertThat(refusalsSeenWhileListed).as("commits refused for a removal that is not durable yet").isEmpty();
        assertThat(names()).doesNotContain("x");
        assertThat(CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new))).isDone();
        assertThat(samples).isPositive();
    }

    @Test
    void aNewNamespaceIsListedOnlyOnceItsCreationIsDurableAndSoIsARefusedDuplicate() throws Exception {
        Namespace primary = kvs.primary();
        backlog(primary);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<String> refusedWhileUnlisted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Namespace> created = new ConcurrentLinkedQueue<>();
        List<Thread> creators = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            creators.add(background(failures, () -> {
                try {
                    created.add(kvs.createNamespace("y", "test"));
                } catch (KvsException refused) {
                    if (!names().contains("y")) {
                        refusedWhileUnlisted.add(refused.getMessage());
                    }
                }
            }));
        }
        while (creators.stream().anyMatch(Thread::isAlive)) {
            boolean listed = names().contains("y");
            long durable = primary.version();
            if (listed) {
                assertThat(durable).as("y is listed while commits queued before its creation are not durable")
                        .isGreaterThanOrEqualTo(BACKLOG);
            }
            Thread.onSpinWait();
        }

        for (Thread t : creators) {
            assertThat(t.join(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(created).as("one creator wins").hasSize(1);
        assertThat(refusedWhileUnlisted).as("'exists already' for a creation that is not durable yet").isEmpty();
        assertThat(names()).contains("y");
    }

    @Test
    void aRefusedPreconditionNeverNamesAVersionAboveTheDurableHead() throws Exception {
        LocalNamespace ns = kvs.local(Kvs.PRIMARY);
        long first = ns.commit(new Txn().put("k", "first"));
        List<CompletableFuture<Long>> commits = new ArrayList<>();
        List<CompletableFuture<Long>> refusals = new ArrayList<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < BACKLOG; i++) {
            commits.add(ns.commitAsync(new Txn().put("k", Integer.toString(i))));
            if (i % (BACKLOG / REFUSALS) == 0) {
                CompletableFuture<Long> refusal = ns.commitAsync(new Txn().require("k", first).put("k", "stale"));
                refusal.whenComplete((v, e) -> {
                    long head = ns.version();   // the moment the refusal is observed
                    if (!(e instanceof ConflictException c)) {
                        violations.add("expected a conflict, got " + (e == null ? "version " + v : e));
                    } else if (c.actual() > head) {
                        violations.add("refusal names version " + c.actual() + " while the durable head is " + head);
                    }
                });
                refusals.add(refusal);
            }
        }

        CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        for (CompletableFuture<Long> refusal : refusals) {
            assertThat(refusal).failsWithin(Duration.ofSeconds(10));
        }
        assertThat(violations).isEmpty();
        for (CompletableFuture<Long> refusal : refusals) {
            ConflictException c = (ConflictException) refusal.handle((v, e) -> e).get();
            assertThat(ns.at(c.actual()).keyVersion("k")).as("the version a refusal names is readable")
                    .isEqualTo(c.actual());
        }
    }

    @Test
    void aRefusalThatSeesAnUndurableUnlinkWaitsForIt() throws Exception {
        LocalNamespace ns = kvs.local(Kvs.PRIMARY);
        long v = ns.commit(new Txn().put("k", "here"));
        backlog(kvs.createNamespace("other", "test"));
        ns.commitAsync(new Txn().put("noise", "1"));
        CompletableFuture<Long> unlink = ns.commitAsync(new Txn().unlink("k"));

        CompletableFuture<Long> refusal = ns.commitAsync(new Txn().require("k", v).put("k", "again"));
        CompletableFuture<Long> observedHead = refusal.handle((x, e) -> {
            assertThat(e).isInstanceOf(ConflictException.class);
            return ns.latest().keyVersion("k");
        });

        assertThat(observedHead.get(120, TimeUnit.SECONDS)).as("when 'k is absent' is reported, readers see k absent")
                .isEqualTo(Txn.ABSENT);
        assertThat(unlink).isDone();
    }
}
