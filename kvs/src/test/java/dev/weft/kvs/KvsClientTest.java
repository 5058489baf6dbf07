package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every operation of {@link KvsClient} against a real {@link KvsServer} over loopback. */
class KvsClientTest {
    /** Clients closed while events stream to them. */
    private static final int CLOSE_ROUNDS = 20;

    private Weft weft;
    private Kvs kvs;
    private KvsServer server;
    private KvsClient client;

    @BeforeEach
    void start() throws Exception {
        weft = Weft.start();
        kvs = Kvs.inMemory();
        server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
        client = KvsClient.connect(server.address());
    }

    @AfterEach
    void stop() {
        client.close();
        weft.close();
        kvs.close();
    }

    private static WatchEvent next(BlockingQueue<WatchEvent> events) throws InterruptedException {
        WatchEvent e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("a watch event within 10 s").isNotNull();
        return e;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void putGetAppendMkdirListAndUnlinkRoundTrip() throws Exception {
        RemoteNamespace ns = client.primary();

        long v1 = ns.put("jobs.1.state", "running");
        long v2 = ns.append("jobs.1.log", "started\n");
        long v3 = ns.append("jobs.1.log", "finished\n");
        long v4 = ns.mkdir("jobs.1.outputs");

        assertThat(List.of(v1, v2, v3, v4)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(ns.getString("jobs.1.state")).isEqualTo("running");
        assertThat(ns.getString("jobs.1.log")).isEqualTo("started\nfinished\n");
        assertThat(ns.list("jobs.1")).containsExactly("log", "outputs", "state");
        assertThat(ns.list(".")).containsExactly("jobs");
        assertThat(ns.get("jobs.2.state")).as("a missing key reads as null").isNull();
        assertThat(ns.version()).isEqualTo(4);
        assertThat(kvs.primary().getString("jobs.1.state")).as("the server's store has it").isEqualTo("running");

        assertThat(ns.unlink("jobs.1")).isEqualTo(5);
        assertThat(ns.get("jobs.1.state")).isNull();
        assertThatThrownBy(() -> ns.list("jobs.1")).isInstanceOf(KvsException.class).hasMessageContaining("missing");
    }

    @Test
    void binaryValuesSurviveTheRoundTripByteForByte() throws Exception {
        byte[] value = new byte[256 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        RemoteNamespace ns = client.primary();
        ns.commit(new Txn().put("blob", value).put("empty", new byte[0]));

        assertThat(ns.get("blob")).isEqualTo(value);
        assertThat(ns.get("empty")).isEmpty();
    }

    @Test
    void aTransactionIsAtomicAndAStalePreconditionNamesTheConflictingKey() throws Exception {
        RemoteNamespace ns = client.primary();
        ns.commit(new Txn().put("a", "1").put("b", "1"));
        RemoteNamespace.Entry a = ns.entry("a");
        assertThat(a.keyVersion()).isEqualTo(1);

        long v = ns.commit(new Txn().require("a", a.keyVersion()).require("c", Txn.ABSENT).put("a", "2").put("c", "2"));
        assertThat(v).isEqualTo(2);

        assertThatThrownBy(() -> ns.commit(new Txn().require("b", 1).require("a", a.keyVersion()).put("b", "3").put("a", "3")))
                .isInstanceOfSatisfying(ConflictException.class, c -> {
                    assertThat(c.key()).isEqualTo("a");
                    assertThat(c.expected()).isEqualTo(1);
                    assertThat(c.actual()).isEqualTo(2);
                    assertThat(c.namespace()).isEqualTo(Kvs.PRIMARY);
                });
        assertThat(ns.version()).as("a conflict makes no version").isEqualTo(2);
        assertThat(ns.getString("b")).as("nothing of the failed transaction was applied").isEqualTo("1");
    }

    @Test
    void anInvalidOperationFailsThatRequestOnlyAndTheConnectionCarriesOn() throws Exception {
        RemoteNamespace ns = client.primary();
        ns.put("dir.key", "x");

        assertThatThrownBy(() -> ns.append("dir", "y")).isInstanceOf(KvsException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> ns.get("dir")).isInstanceOf(KvsException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> client.namespace("nope").version()).isInstanceOf(KvsException.class)
                .hasMessageContaining("no namespace 'nope'");
        assertThatThrownBy(() -> ns.put("dir.key.under", "z")).isInstanceOf(KvsException.class);

        assertThat(ns.getString("dir.key")).isEqualTo("x");
    }

    @Test
    void readsAtAnOlderRetainedVersionSeeThatVersion() throws Exception {
        RemoteNamespace ns = client.primary();
        long v1 = ns.put("k", "one");
        ns.put("k", "two");

        assertThat(ns.entry("k", v1).string()).isEqualTo("one");
        assertThat(ns.entry("k", v1).version()).isEqualTo(v1);
        assertThat(ns.list(".", v1)).containsExactly("k");
        assertThat(ns.getString("k")).isEqualTo("two");
        assertThatThrownBy(() -> ns.entry("k", 99)).isInstanceOf(KvsException.class).hasMessageContaining("does not retain");
    }

    @Test
    void waitVersionReturnsOnlyOnceAnotherClientCommitsThatVersion() throws Exception {
        RemoteNamespace ns = client.primary();
        long now = ns.put("x", "0");
        CompletableFuture<Long> reached = ns.whenVersion(now + 2);

        try (KvsClient other = KvsClient.connect(server.address())) {
            other.primary().put("x", "1");
            assertThat(ns.waitVersion(now + 1)).isEqualTo(now + 1);
            assertThat(reached).as("version %d is not there yet", now + 2).isNotDone();
            other.primary().put("x", "2");
        }
        assertThat(reached.get(10, TimeUnit.SECONDS)).isEqualTo(now + 2);
        assertThat(ns.waitVersion(now, java.time.Duration.ofSeconds(1))).isTrue();
        assertThat(ns.waitVersion(now + 100, java.time.Duration.ofMillis(50))).as("times out").isFalse();
    }

    @Test
    void aValueWatchSeesTheStartValueThenEveryChangeInOrder() throws Exception {
        RemoteNamespace ns = client.primary();
        ns.put("k", "0");
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        RemoteWatch watch = ns.watch("k", WatchMode.VALUE, events);
        assertThat(watch.startVersion()).isEqualTo(1);

        for (int i = 1; i <= 50; i++) {
            ns.put("k", Integer.toString(i));
        }
        ns.put("other", "not watched");
        ns.unlink("k");

        for (int i = 0; i <= 50; i++) {
            WatchEvent.Value e = (WatchEvent.Value) next(events);
            assertThat(e.watchId()).isEqualTo(watch.id());
            assertThat(e.version()).isEqualTo(i + 1);
            assertThat(text(e.value())).isEqualTo(Integer.toString(i));
        }
        WatchEvent.Value removed = (WatchEvent.Value) next(events);
        assertThat(removed.value()).isNull();
        assertThat(removed.version()).isEqualTo(53);
        assertThat(events).isEmpty();
        watch.cancel();
        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.CANCELLED));
    }

    @Test
    void anAppendWatchCarriesOnlyTheAppendedBytesAndEndsWhenTheValueIsReplaced() throws Exception {
        RemoteNamespace ns = client.primary();
        ns.append("log", "a");
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        ns.watch("log", WatchMode.APPEND, events);

        ns.append("log", "b");
        ns.append("log", "cd");
        ns.put("log", "replaced");

        assertThat(text(((WatchEvent.Appended) next(events)).bytes())).isEqualTo("a");
        assertThat(text(((WatchEvent.Appended) next(events)).bytes())).isEqualTo("b");
        assertThat(text(((WatchEvent.Appended) next(events)).bytes())).isEqualTo("cd");
        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.REPLACED));
    }

    @Test
    void aCreateWatchWaitsForTheKeyThenEnds() throws Exception {
        RemoteNamespace ns = client.primary();
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        RemoteWatch watch = ns.watch("job.result", WatchMode.CREATE, events);
        ns.put("job.other", "x");
        assertThat(events).as("nothing until the key exists").isEmpty();

        long v = ns.put("job.result", "42");

        WatchEvent.Value created = (WatchEvent.Value) next(events);
        assertThat(created.version()).isEqualTo(v);
        assertThat(text(created.value())).isEqualTo("42");
        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.CREATED));
        assertThat(watch.isActive()).isFalse();
    }

    @Test
    void aDirectoryWatchNamesTheChangedKeysOfEachCommit() throws Exception {
        RemoteNamespace ns = client.primary();
        ns.mkdir("jobs");
        List<WatchEvent> events = new ArrayList<>();
        BlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
        RemoteWatch watch = ns.watch("jobs", WatchMode.DIRECTORY, e -> {
            events.add(e);
            queue.add(e);
        });

        long v = ns.commit(new Txn().put("jobs.1.state", "new").put("jobs.2.state", "new"));
        ns.put("elsewhere", "x");
        long w = ns.unlink("jobs.1");

        WatchEvent.DirChanged first = (WatchEvent.DirChanged) next(queue);
        assertThat(first.version()).isEqualTo(v);
        assertThat(first.changed()).containsExactlyInAnyOrder("jobs.1", "jobs.2");   // new directories, as in process
        WatchEvent.DirChanged second = (WatchEvent.DirChanged) next(queue);
        assertThat(second.version()).isEqualTo(w);
        assertThat(second.changed()).containsExactly("jobs.1");
        watch.cancel();
        assertThat(next(queue)).isInstanceOf(WatchEvent.Ended.class);
        assertThat(events).hasSize(3);
    }

    @Test
    void cancellingAWatchEndsItWithOneFinalEventAndNothingAfter() throws Exception {
        RemoteNamespace ns = client.primary();
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        RemoteWatch watch = ns.watch("k", WatchMode.VALUE, events);
        ns.put("k", "1");
        assertThat(next(events)).isInstanceOf(WatchEvent.Value.class);   // the start value (missing)
        assertThat(next(events)).isInstanceOf(WatchEvent.Value.class);   // "1"

        watch.cancel();
        WatchEvent.Ended end = (WatchEvent.Ended) next(events);
        assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
        ns.put("k", "2");
        ns.version();                                                     // a round trip after the put
        assertThat(events).as("nothing after the end").isEmpty();
        assertThat(watch.isActive()).isFalse();
        watch.cancel();                                                   // idempotent
    }

    @Test
    void namespacesAreCreatedListedUsedAndRemoved() throws Exception {
        RemoteNamespace jobs = client.createNamespace("jobs", "alice");
        jobs.put("a", "in jobs");
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        jobs.watch("a", WatchMode.VALUE, events);
        next(events);

        assertThat(client.namespaces()).extracting(NamespaceInfo::name).containsExactly("jobs", "primary");
        assertThat(client.namespaces().get(0)).isEqualTo(new NamespaceInfo("jobs", "alice", 1));
        assertThat(client.primary().get("a")).as("namespaces are separate").isNull();
        assertThatThrownBy(() -> client.createNamespace("jobs", "bob")).isInstanceOf(KvsException.class)
                .hasMessageContaining("exists already");

        client.removeNamespace("jobs");
        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.NAMESPACE_REMOVED));
        assertThat(client.namespaces()).extracting(NamespaceInfo::name).containsExactly("primary");
        assertThatThrownBy(() -> jobs.get("a")).isInstanceOf(KvsException.class);
    }

    @Test
    void manyThreadsShareOneClientAndEveryCommitGetsItsOwnVersion() throws Exception {
        RemoteNamespace ns = client.primary();
        int threads = 8;
        int each = 250;
        Set<Long> versions = ConcurrentHashMap.newKeySet();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            String key = "t" + t;
            workers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        versions.add(ns.commit(new Txn().append(key, i + ",")));
                        assertThat(ns.getString(key)).endsWith(i + ",");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread w : workers) {
            assertThat(w.join(java.time.Duration.ofSeconds(60))).isTrue();
        }
        assertThat(failures).isEmpty();
        assertThat(versions).hasSize(threads * each);
        assertThat(ns.version()).isEqualTo(threads * each);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < each; i++) {
            expected.append(i).append(',');
        }
        for (int t = 0; t < threads; t++) {
            assertThat(ns.getString("t" + t)).as("per-thread order").isEqualTo(expected.toString());
        }
    }

    @Test
    void closingTheClientFailsLaterCallsAndEndsItsWatchesWithClosed() throws Exception {
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        client.primary().watch("k", WatchMode.VALUE, events);
        next(events);

        client.close();

        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.CLOSED));
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.primary().version()).isInstanceOf(KvsException.class).hasMessageContaining("closed");
    }

    @Test
    void aStoppedServerFailsWaitingCallsInsteadOfHangingThem() throws Exception {
        CompletableFuture<Long> never = client.primary().whenVersion(1_000);

        server.close();

        assertThat(never).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(KvsException.class);
    }

    @Test
    void namespacesWithShortNamesAndOwnersAreListed() throws Exception {
        List<String> names = List.of("a", "b", "c", "d", "e", "f");
        for (String name : names) {
            client.createNamespace(name, "o");
        }

        assertThat(client.namespaces()).extracting(NamespaceInfo::name)
                .containsExactly("a", "b", "c", "d", "e", "f", Kvs.PRIMARY);
        assertThat(client.namespaces().get(0)).isEqualTo(new NamespaceInfo("a", "o", 0));
    }

    @Test
    void thePrimaryNamespaceCannotBeRemovedOverTheNetwork() throws Exception {
        client.primary().put("k", "v");

        assertThatThrownBy(() -> client.removeNamespace(Kvs.PRIMARY)).isInstanceOf(KvsException.class)
                .hasMessageContaining("primary");

        assertThat(client.primary().getString("k")).isEqualTo("v");
        assertThat(kvs.primary().version()).isEqualTo(1);
    }

    @Test
    void timedOutWaitsFreeTheirSlotsOnBothSidesAndTheConnectionCarriesOn() throws Exception {
        int maxInFlight = 16;
        KvsServer small = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxInFlight(maxInFlight));
        try (KvsClient c = KvsClient.connect(small.address())) {
            RemoteNamespace ns = c.primary();
            for (int i = 0; i < maxInFlight + 4; i++) {
                assertThat(ns.waitVersion(1_000_000, java.time.Duration.ofMillis(5))).as("wait %d times out", i).isFalse();
            }
            assertThat(c.outstanding()).as("the client forgot every timed-out call").isZero();

            CompletableFuture<Long> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return ns.put("k", "after the waits");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            assertThat(put).as("the server reads requests again").succeedsWithin(java.time.Duration.ofSeconds(10));
            assertThat(ns.getString("k")).isEqualTo("after the waits");
            assertThat(ns.waitVersion(1, java.time.Duration.ofSeconds(5))).as("a reachable wait still succeeds").isTrue();
        } finally {
            small.close();
        }
    }

    /** A delivery seen by a watch callback: the thread it ran on and the event. */
    private record Delivery(Thread thread, WatchEvent event) {
    }

    @Test
    void closingAClientWhileEventsStreamEndsEachWatchOnceOnTheReaderThreadWithNothingAfter() throws Exception {
        Namespace store = kvs.primary();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; writing.get(); i++) {
                    store.commit(new Txn().put("hot", Long.toString(i)).put("warm", Long.toString(i)));
                    Thread.yield();                 // a steady stream, not one that starves the readers
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // A watch buffer the stream cannot fill within a round, so the watches end by the close.
        KvsServer roomy = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withWatchBuffer(1 << 16));
        int closedByClose = 0;
        try {
            for (int round = 0; round < CLOSE_ROUNDS; round++) {
                KvsClient c = KvsClient.connect(roomy.address());
                java.util.concurrent.ConcurrentLinkedQueue<Delivery> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
                java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(6);
                for (String key : List.of("hot", "warm")) {
                    c.primary().watch(key, WatchMode.VALUE, e -> {
                        seen.add(new Delivery(Thread.currentThread(), e));
                        streaming.countDown();
                    });
                }
                assertThat(streaming.await(10, TimeUnit.SECONDS)).as("events stream in round %d", round).isTrue();

                c.close();

                Thread reader = seen.peek().thread();
                assertThat(reader.join(java.time.Duration.ofSeconds(10))).as("the reader ends after close").isTrue();
                for (String key : List.of("hot", "warm")) {
                    List<Delivery> mine = seen.stream().filter(d -> d.event().key().equals(key)).toList();
                    assertThat(mine).as("round %d, %s: every callback on the reader thread", round, key)
                            .allSatisfy(d -> assertThat(d.thread()).isSameAs(reader));
                    assertThat(mine.stream().filter(d -> d.event() instanceof WatchEvent.Ended).count())
                            .as("round %d, %s: exactly one Ended", round, key).isEqualTo(1);
                    assertThat(mine.get(mine.size() - 1).event()).as("round %d, %s: the Ended comes last", round, key)
                            .isInstanceOf(WatchEvent.Ended.class);
                    if (((WatchEvent.Ended) mine.get(mine.size() - 1).event()).reason() == WatchEvent.Reason.CLOSED) {
                        closedByClose++;
                    }
                }
            }
        } finally {
            writing.set(false);
            assertThat(writer.join(java.time.Duration.ofSeconds(10))).isTrue();
            roomy.close();
        }
        assertThat(closedByClose).as("watches ended by the close (not by the server)").isPositive();
    }
}
