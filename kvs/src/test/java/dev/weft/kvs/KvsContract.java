package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link KvsStore} backend keeps, run against each: a subclass names its
 * backends ({@link #backends()}), and every test here runs once per backend on a fresh, empty store.
 * {@link FluxContract} adds what came from Flux later (symlinks, copies, eventlogs, watch flags).
 * {@code KvsContractTest} runs both in process and against a Weft server; {@code EtcdContractTest} in
 * {@code kvs-etcd} against etcd. Versions are compared by order, never by value, unless the backend
 * has dense versions (one per commit, from 1): etcd's revision is global and not dense.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class KvsContract {
    /** Events of one commit stream a watcher may have to take. */
    private static final int STREAM = 50;
    private static final int WRITERS = 8;
    private static final int INCREMENTS_PER_WRITER = 60;
    private static final int REFUSALS = 12;
    private static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

    /** One backend: opens a fresh, empty store (its primary namespace only) per test. */
    public interface Backend {
        /** Opens a fresh store; closing it releases everything the backend made for it. */
        KvsStore open() throws Exception;

        /** Whether versions count commits of the namespace, 1, 2, 3, ... (in process and on a Weft server). */
        boolean denseVersions();

        /** Whether a directory can be copied or moved (etcd refuses it with {@link NotSupportedException}). */
        default boolean copiesDirectories() {
            return true;
        }
    }

    /** Returns the backends to run the contract against. */
    protected abstract List<Backend> backends();

    Stream<Backend> all() {
        return backends().stream();
    }

    /** A listener that queues events, and takes them with a 10 s watchdog. */
    static final class Events implements java.util.function.Consumer<WatchEvent> {
        final BlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();

        @Override
        public void accept(WatchEvent e) {
            queue.add(e);
        }

        WatchEvent next() throws InterruptedException {
            WatchEvent e = queue.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("a watch event within 10 s").isNotNull();
            return e;
        }

        <E extends WatchEvent> E next(Class<E> type) throws InterruptedException {
            WatchEvent e = next();
            assertThat(e).as("the next event").isInstanceOf(type);
            return type.cast(e);
        }

        /** Makes sure nothing more is queued after a round trip that follows the last commit. */
        void assertNothingMore(Namespace ns) throws InterruptedException {
            ns.version();
            assertThat(queue.poll()).as("no further event").isNull();
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- reads and commits

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void putGetAppendMkdirListAndUnlinkRoundTrip(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();

            long v1 = ns.put("jobs.1.state", "running");
            long v2 = ns.append("jobs.1.log", "started\n");
            long v3 = ns.append("jobs.1.log", "finished\n");
            long v4 = ns.mkdir("jobs.1.outputs");

            assertThat(List.of(v1, v2, v3, v4)).as("every commit makes a later version").isSorted().doesNotHaveDuplicates();
            if (backend.denseVersions()) {
                assertThat(List.of(v1, v2, v3, v4)).containsExactly(1L, 2L, 3L, 4L);
            }
            assertThat(ns.getString("jobs.1.state")).isEqualTo("running");
            assertThat(ns.getString("jobs.1.log")).isEqualTo("started\nfinished\n");
            assertThat(ns.list("jobs.1")).containsExactly("log", "outputs", "state");
            assertThat(ns.list(".")).containsExactly("jobs");
            assertThat(ns.get("jobs.2.state")).as("a missing key reads as null").isNull();
            assertThat(ns.version()).isGreaterThanOrEqualTo(v4);
            View view = ns.latest();
            assertThat(view.isDirectory("jobs.1.outputs")).isTrue();
            assertThat(view.exists("jobs.1.nothing")).isFalse();
            assertThat(view.keyVersion("jobs.1.state")).isEqualTo(v1);
            assertThat(view.keyVersion("jobs.1")).as("a directory's version is its latest change beneath").isEqualTo(v4);

            long v5 = ns.unlink("jobs.1");
            assertThat(v5).isGreaterThan(v4);
            assertThat(ns.get("jobs.1.state")).isNull();
            assertThat(ns.list("jobs")).isEmpty();
            assertThatThrownBy(() -> ns.list("jobs.1")).isInstanceOf(NotADirectoryException.class)
                    .hasMessageContaining("missing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void binaryValuesSurviveByteForByte(Backend backend) throws Exception {
        byte[] value = new byte[256 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.commit(new Txn().put("blob", value).put("empty", new byte[0]));

            assertThat(ns.get("blob")).isEqualTo(value);
            assertThat(ns.get("empty")).isEmpty();
            assertThat(ns.entry("empty").exists()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aTransactionIsAtomicAndAStalePreconditionNamesTheConflictingKey(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v1 = ns.commit(new Txn().put("a", "1").put("b", "1"));
            Entry a = ns.entry("a");
            assertThat(a.keyVersion()).isEqualTo(v1);

            long v2 = ns.commit(new Txn().require("a", a.keyVersion()).require("c", Txn.ABSENT).put("a", "2").put("c", "2"));
            assertThat(v2).isGreaterThan(v1);
            long before = ns.version();

            assertThatThrownBy(() -> ns.commit(new Txn().put("other", "x").require("b", v1).require("a", a.keyVersion())
                    .put("b", "3").put("a", "3")))
                    .isInstanceOfSatisfying(ConflictException.class, c -> {
                        assertThat(c.key()).isEqualTo("a");
                        assertThat(c.expected()).isEqualTo(v1);
                        assertThat(c.actual()).isEqualTo(v2);
                        assertThat(c.namespace()).isEqualTo(KvsStore.PRIMARY);
                    });
            assertThat(ns.version()).as("a conflict makes no version").isEqualTo(before);
            assertThat(ns.getString("b")).as("nothing of the failed transaction was applied").isEqualTo("1");
            assertThat(ns.get("other")).isNull();
            assertThatThrownBy(() -> ns.commit(new Txn().require("c", Txn.ABSENT).put("c", "again")))
                    .as("ABSENT requires a missing key").isInstanceOf(ConflictException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void everyRefusalHasItsOwnTypeAndCommitsNothing(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v = ns.put("dir.key", "x");

            assertThatThrownBy(() -> ns.append("dir", "y")).isInstanceOf(NotAValueException.class)
                    .hasMessageContaining("directory");
            assertThatThrownBy(() -> ns.get("dir")).isInstanceOf(NotAValueException.class)
                    .hasMessageContaining("is a directory");
            assertThatThrownBy(() -> ns.commit(new Txn().put("fine", "1").put("dir.key.under", "z")))
                    .isInstanceOf(NotADirectoryException.class).hasMessageContaining("not a directory");
            assertThatThrownBy(() -> ns.list("dir.key")).isInstanceOf(NotADirectoryException.class);
            assertThatThrownBy(() -> store.namespace("nope").version()).isInstanceOf(NoSuchNamespaceException.class)
                    .hasMessageContaining("nope");
            assertThatThrownBy(() -> ns.at(ns.version() + 1_000_000).get("dir.key"))
                    .isInstanceOf(VersionNotRetainedException.class);

            assertThat(ns.version()).as("no refusal made a version").isEqualTo(v);
            assertThat(ns.get("fine")).isNull();
            assertThat(ns.getString("dir.key")).isEqualTo("x");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void readsAtAnOlderVersionSeeThatVersion(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v1 = ns.put("k", "one");
            ns.put("k", "two");
            ns.put("other", "x");

            View old = ns.at(v1);
            assertThat(old.version()).isEqualTo(v1);
            assertThat(old.getString("k")).isEqualTo("one");
            assertThat(old.list(".")).containsExactly("k");
            assertThat(old.entry("k").version()).isEqualTo(v1);
            assertThat(ns.getString("k")).isEqualTo("two");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void appendsExtendAValueWhileOlderVersionsKeepTheirBytes(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v1 = ns.commit(new Txn().append("stream", "a"));
            long v2 = ns.commit(new Txn().append("stream", "b"));
            long v3 = ns.commit(new Txn().append("stream", "c").append("stream", "d"));
            ns.commit(new Txn().put("s", "ab"));
            long v = ns.commit(new Txn().append("s", "cd"));
            ns.commit(new Txn().put("s", "ab"));
            long w = ns.commit(new Txn().append("s", "XY"));

            assertThat(ns.at(v1).getString("stream")).isEqualTo("a");
            assertThat(ns.at(v2).getString("stream")).isEqualTo("ab");
            assertThat(ns.at(v3).getString("stream")).isEqualTo("abcd");
            assertThat(ns.at(v).getString("s")).isEqualTo("abcd");
            assertThat(ns.at(w).getString("s")).isEqualTo("abXY");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void compareAndSetIncrementsByEightWritersLoseNothing(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long start = ns.put("counter", "0");
            List<List<Long>> versions = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                List<Long> mine = new ArrayList<>();
                versions.add(mine);
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < INCREMENTS_PER_WRITER; i++) {
                            mine.add(increment(ns));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : writers) {
                assertThat(t.join(Duration.ofSeconds(120))).as("writers finish").isTrue();
            }
            assertThat(failures).isEmpty();

            List<Long> all = new ArrayList<>();
            for (List<Long> mine : versions) {
                assertThat(mine).as("one writer's versions grow").isSorted().doesNotHaveDuplicates();
                all.addAll(mine);
            }
            int total = WRITERS * INCREMENTS_PER_WRITER;
            assertThat(all).as("every commit got its own version").doesNotHaveDuplicates().hasSize(total)
                    .allSatisfy(v -> assertThat(v).isGreaterThan(start));
            assertThat(ns.getString("counter")).isEqualTo(Integer.toString(total));
            if (backend.denseVersions()) {
                assertThat(ns.version()).isEqualTo(start + total);
            }
        }
    }

    /** Compare-and-set increment, retried on conflict. */
    private static long increment(Namespace ns) throws InterruptedException {
        for (;;) {
            Entry seen = ns.entry("counter");
            int n = Integer.parseInt(seen.string());
            try {
                return ns.commit(new Txn().require("counter", seen.keyVersion()).put("counter", Integer.toString(n + 1)));
            } catch (ConflictException retry) {
                // someone else incremented first
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aRefusalNeverNamesAVersionReadersCannotSee(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long first = ns.put("k", "first");
            List<CompletableFuture<Long>> commits = new ArrayList<>();
            List<CompletableFuture<Long>> refusals = new ArrayList<>();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < REFUSALS * 4; i++) {
                CompletableFuture<Long> commit = ns.commitAsync(new Txn().put("k", Integer.toString(i)));
                commits.add(commit);
                if (i % 4 == 0) {
                    // Sent once a commit that moved k is done (async commits of etcd are unordered), while others are pending.
                    CompletableFuture<Long> refusal = commit.thenComposeAsync(
                            x -> ns.commitAsync(new Txn().require("k", first).put("k", "stale")), VIRTUAL);
                    refusals.add(refusal.whenComplete((v, e) -> {
                        if (e instanceof java.util.concurrent.CompletionException) {
                            e = e.getCause();
                        }
                        if (!(e instanceof ConflictException)) {
                            violations.add("expected a conflict, got " + (e == null ? "version " + v : e));
                        }
                    }));
                }
            }
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            for (CompletableFuture<Long> refusal : refusals) {
                Throwable e = refusal.handle((v, x) -> x).get(30, TimeUnit.SECONDS);
                ConflictException c = (ConflictException) (e.getCause() instanceof ConflictException ce ? ce : e);
                assertThat(ns.at(c.actual()).keyVersion("k")).as("the version a refusal names is readable")
                        .isEqualTo(c.actual());
            }
            assertThat(violations).isEmpty();
        }
    }

    // ---------------------------------------------------------------- versions

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void waitVersionReturnsOnceAnotherHandleCommitsThatVersion(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long now = ns.put("x", "0");
            Namespace other = store.namespace(KvsStore.PRIMARY);
            CompletableFuture<Long> reached = ns.whenVersion(now + 2);
            CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
                try {
                    return ns.waitVersion(now + 1);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofVirtual().start(r));

            long v1 = other.put("x", "1");
            assertThat(waited.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(now + 1);
            long v2 = other.put("x", "2");
            assertThat(reached.get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(now + 2).isLessThanOrEqualTo(v2);
            assertThat(v1).isLessThan(v2);
            assertThat(ns.waitVersion(now, Duration.ofSeconds(1))).isTrue();
            assertThat(ns.waitVersion(v2 + 1_000_000, Duration.ofMillis(50))).as("times out").isFalse();
        }
    }

    // ---------------------------------------------------------------- watches

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aValueWatchSeesTheStartValueThenEveryChangeInOrder(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v0 = ns.put("k", "0");
            Events events = new Events();
            Watch watch = ns.watch("k", WatchMode.VALUE, events);
            assertThat(watch.startVersion()).isGreaterThanOrEqualTo(v0);

            List<Long> versions = new ArrayList<>();
            for (int i = 1; i <= STREAM; i++) {
                versions.add(ns.put("k", Integer.toString(i)));
            }
            ns.put("other", "not watched");
            long removed = ns.unlink("k");

            WatchEvent.Value start = events.next(WatchEvent.Value.class);
            assertThat(start.watchId()).isEqualTo(watch.id());
            assertThat(start.version()).isEqualTo(watch.startVersion());
            assertThat(text(start.value())).isEqualTo("0");
            for (int i = 1; i <= STREAM; i++) {
                WatchEvent.Value e = events.next(WatchEvent.Value.class);
                assertThat(e.watchId()).isEqualTo(watch.id());
                assertThat(e.version()).isEqualTo(versions.get(i - 1));
                assertThat(text(e.value())).isEqualTo(Integer.toString(i));
            }
            WatchEvent.Value gone = events.next(WatchEvent.Value.class);
            assertThat(gone.value()).isNull();
            assertThat(gone.version()).isEqualTo(removed);
            events.assertNothingMore(ns);

            watch.cancel();
            WatchEvent.Ended end = events.next(WatchEvent.Ended.class);
            assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
            assertThat(end.version()).isGreaterThanOrEqualTo(removed);
            ns.put("k", "after");
            events.assertNothingMore(ns);
            assertThat(watch.isActive()).isFalse();
            watch.cancel();                                   // idempotent
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void anAppendWatchCarriesOnlyTheAppendedBytesAndEndsAtTheReplacingVersion(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v1 = ns.append("log", "a");
            Events events = new Events();
            ns.watch("log", WatchMode.APPEND, events);
            long v2 = ns.append("log", "b");
            ns.put("unrelated", "x");
            long v3 = ns.commit(new Txn().append("log", "c").append("log", "d"));
            long replaced = ns.commit(new Txn().put("log", "fresh").append("log", "+more"));
            ns.append("log", "!");

            WatchEvent.Appended first = events.next(WatchEvent.Appended.class);
            assertThat(text(first.bytes())).as("the whole value first").isEqualTo("a");
            assertThat(first.version()).isGreaterThanOrEqualTo(v1);
            WatchEvent.Appended second = events.next(WatchEvent.Appended.class);
            assertThat(second.version()).isEqualTo(v2);
            assertThat(text(second.bytes())).isEqualTo("b");
            WatchEvent.Appended third = events.next(WatchEvent.Appended.class);
            assertThat(third.version()).as("several appends of one commit are one event").isEqualTo(v3);
            assertThat(text(third.bytes())).isEqualTo("cd");
            WatchEvent.Ended end = events.next(WatchEvent.Ended.class);
            assertThat(end.reason()).isEqualTo(WatchEvent.Reason.REPLACED);
            assertThat(end.version()).isEqualTo(replaced);
            assertThat(ns.at(end.version()).getString("log")).as("read the replacement at the end's version")
                    .isEqualTo("fresh+more");
            events.assertNothingMore(ns);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void anAppendWatchOnAMissingKeyWaitsForItsFirstBytes(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Events events = new Events();
            ns.watch("later", WatchMode.APPEND, events);

            long v = ns.append("later", "hello");

            WatchEvent.Appended e = events.next(WatchEvent.Appended.class);
            assertThat(text(e.bytes())).isEqualTo("hello");
            assertThat(e.version()).isEqualTo(v);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aCreateWatchWaitsForTheKeyThenEnds(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Events events = new Events();
            Watch watch = ns.watch("job.result", WatchMode.CREATE, events);
            ns.put("job.other", "x");

            long v = ns.put("job.result", "42");
            ns.put("job.result", "43");

            WatchEvent.Value created = events.next(WatchEvent.Value.class);
            assertThat(created.version()).isEqualTo(v);
            assertThat(text(created.value())).isEqualTo("42");
            WatchEvent.Ended end = events.next(WatchEvent.Ended.class);
            assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CREATED);
            assertThat(end.version()).isEqualTo(v);
            events.assertNothingMore(ns);
            assertThat(watch.isActive()).isFalse();

            Events again = new Events();
            ns.watch("job.result", WatchMode.CREATE, again);
            assertThat(again.next(WatchEvent.Value.class).version()).as("an existing key answers at once")
                    .isGreaterThanOrEqualTo(v);
            assertThat(again.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CREATED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aDirectoryWatchNamesTheChangedKeysAndANewOrRemovedSubtreeOnlyByItsTopKey(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.commit(new Txn().put("jobs.1.state", "run").put("jobs.1.log", "a").put("jobs.2", "value"));
            Events events = new Events();
            ns.watch("jobs", WatchMode.DIRECTORY, events);

            long changed = ns.commit(new Txn().put("jobs.1.state", "done").put("elsewhere", "x"));
            ns.put("elsewhere", "y");
            long added = ns.commit(new Txn().put("jobs.3.out.a", "1").put("jobs.3.out.b", "2").put("jobs.3.state", "new"));
            long removed = ns.unlink("jobs.1");
            long retyped = ns.commit(new Txn().mkdir("jobs.2").put("jobs.2.sub", "now a directory"));

            WatchEvent.DirChanged c = events.next(WatchEvent.DirChanged.class);
            assertThat(c.version()).isEqualTo(changed);
            assertThat(c.changed()).containsExactly("jobs.1.state");
            WatchEvent.DirChanged a = events.next(WatchEvent.DirChanged.class);
            assertThat(a.version()).isEqualTo(added);
            assertThat(a.changed()).containsExactly("jobs.3");
            WatchEvent.DirChanged r = events.next(WatchEvent.DirChanged.class);
            assertThat(r.version()).isEqualTo(removed);
            assertThat(r.changed()).containsExactly("jobs.1");
            WatchEvent.DirChanged t = events.next(WatchEvent.DirChanged.class);
            assertThat(t.version()).isEqualTo(retyped);
            assertThat(t.changed()).as("a value replaced by a directory is named by its key").containsExactly("jobs.2");
            events.assertNothingMore(ns);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aValueWatchOnADirectorySendsValueNullForEveryChangeBeneathIt(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.put("conf.a", "1");
            Events events = new Events();
            ns.watch("conf", WatchMode.VALUE, events);

            long deep = ns.put("conf.sub.b", "2");
            ns.put("elsewhere", "x");
            long unlinked = ns.unlink("conf.a");
            long gone = ns.unlink("conf");
            ns.put("elsewhere", "y");
            long back = ns.put("conf", "a value");

            assertThat(events.next(WatchEvent.Value.class).value()).as("a directory reads as null").isNull();
            for (long v : new long[] {deep, unlinked, gone}) {
                WatchEvent.Value e = events.next(WatchEvent.Value.class);
                assertThat(e.version()).isEqualTo(v);
                assertThat(e.value()).isNull();
            }
            WatchEvent.Value value = events.next(WatchEvent.Value.class);
            assertThat(value.version()).isEqualTo(back);
            assertThat(text(value.value())).isEqualTo("a value");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aChangeUndoneInTheSameCommitChangesNothingAndSendsNoEvent(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long kept = ns.put("d.keep", "1");
            long made = ns.mkdir("e.empty");
            Events events = new Events();
            ns.watch("d", WatchMode.DIRECTORY, events);
            ns.watch("d", WatchMode.VALUE, events);
            ns.watch("e", WatchMode.DIRECTORY, events);
            assertThat(events.next(WatchEvent.Value.class).version()).as("the VALUE watch's start event")
                    .isGreaterThanOrEqualTo(made);

            long undone = ns.commit(new Txn().put("d.tmp", "x").unlink("d.tmp").mkdir("e.empty"));
            long real = ns.commit(new Txn().put("d.real", "y").put("e.empty.x", "1"));

            assertThat(ns.at(undone).keyVersion("d")).as("the undone put left d's version alone").isEqualTo(kept);
            assertThat(ns.at(undone).keyVersion("e.empty")).as("mkdir of an empty directory changed nothing")
                    .isEqualTo(made);
            assertThat(ns.latest().keyVersion("d")).as("d changed once, by the real put").isEqualTo(real);
            List<WatchEvent> seen = List.of(events.next(), events.next(), events.next());
            assertThat(seen).extracting(WatchEvent::version).as("no event for the undone change").containsOnly(real);
            assertThat(seen).filteredOn(e -> e instanceof WatchEvent.DirChanged)
                    .extracting(e -> ((WatchEvent.DirChanged) e).changed())
                    .containsExactlyInAnyOrder(List.of("d.real"), List.of("e.empty.x"));
            events.assertNothingMore(ns);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void watchesMayDeliverToAnInbox(Backend backend) throws Exception {
        try (KvsStore store = backend.open(); dev.weft.runtime.Weft weft = dev.weft.runtime.Weft.start()) {
            Namespace ns = store.primary();
            Collector collector = weft.spawn(new Collector(16));
            Watch watch = ns.watch("k", WatchMode.VALUE, collector.events);
            long v = ns.put("k", "1");

            assertThat(collector.next(WatchEvent.Value.class).value()).isNull();
            assertThat(collector.next(WatchEvent.Value.class).version()).isEqualTo(v);
            watch.cancel();
            assertThat(collector.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
        }
    }

    // ---------------------------------------------------------------- namespaces

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void namespacesAreCreatedListedUsedAndRemoved(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace jobs = store.createNamespace("jobs", "alice");
            long v = jobs.put("a", "in jobs");
            Events events = new Events();
            jobs.watch("a", WatchMode.VALUE, events);
            events.next(WatchEvent.Value.class);
            for (String name : List.of("b", "c")) {
                store.createNamespace(name, "o");
            }

            assertThat(store.namespaces()).extracting(NamespaceInfo::name).containsExactly("b", "c", "jobs", "primary");
            NamespaceInfo info = store.namespaces().get(2);
            assertThat(info.owner()).isEqualTo("alice");
            assertThat(info.version()).isGreaterThanOrEqualTo(v);
            if (backend.denseVersions()) {
                assertThat(info.version()).isEqualTo(1);
            }
            assertThat(store.primary().get("a")).as("namespaces are separate").isNull();
            assertThatThrownBy(() -> store.createNamespace("jobs", "bob")).isInstanceOf(NamespaceExistsException.class)
                    .hasMessageContaining("exists already");

            store.removeNamespace("jobs");

            assertThat(events.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.NAMESPACE_REMOVED);
            assertThat(store.namespaces()).extracting(NamespaceInfo::name).containsExactly("b", "c", "primary");
            assertThatThrownBy(() -> jobs.get("a")).isInstanceOf(NoSuchNamespaceException.class);
            assertThatThrownBy(() -> jobs.put("x", "3")).isInstanceOf(NoSuchNamespaceException.class);
            assertThatThrownBy(() -> store.removeNamespace("jobs")).isInstanceOf(NoSuchNamespaceException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void thePrimaryNamespaceCannotBeRemoved(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            long v = store.primary().put("k", "v");

            assertThatThrownBy(() -> store.removeNamespace(KvsStore.PRIMARY)).isInstanceOf(KvsException.class)
                    .hasMessageContaining("primary");

            assertThat(store.primary().getString("k")).isEqualTo("v");
            assertThat(store.primary().version()).isGreaterThanOrEqualTo(v);
            assertThat(store.namespaces()).extracting(NamespaceInfo::name).contains(KvsStore.PRIMARY);
        }
    }

    // ---------------------------------------------------------------- concurrency

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void manyThreadsShareOneStoreAndEveryCommitGetsItsOwnVersion(Backend backend) throws Exception {
        int threads = 8;
        int each = 60;
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Set<Long> versions = ConcurrentHashMap.newKeySet();
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "t" + t;
                workers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            versions.add(ns.commit(new Txn().append(key, i + ",")));
                            assertThat(ns.getString(key)).as("read your own write").endsWith(i + ",");
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread w : workers) {
                assertThat(w.join(Duration.ofSeconds(120))).isTrue();
            }
            assertThat(failures).isEmpty();
            assertThat(versions).hasSize(threads * each);
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < each; i++) {
                expected.append(i).append(',');
            }
            for (int t = 0; t < threads; t++) {
                assertThat(ns.getString("t" + t)).as("per-thread order").isEqualTo(expected.toString());
            }
        }
    }
}
