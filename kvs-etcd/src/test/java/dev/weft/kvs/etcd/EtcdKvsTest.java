package dev.weft.kvs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.kvs.ConflictException;
import dev.weft.kvs.KvsStore;
import dev.weft.kvs.LimitExceededException;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.NotADirectoryException;
import dev.weft.kvs.NotAValueException;
import dev.weft.kvs.Txn;
import dev.weft.kvs.VersionNotRetainedException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.UUID;
import dev.weft.testkit.etcd.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What only the etcd backend does: its limits, compaction, the commit that needs no read, its location. */
class EtcdKvsTest {
    private static EtcdProcess etcd;
    private String endpoints;
    private EtcdKvs store;
    private Namespace ns;

    @BeforeAll
    static void startEtcd() throws IOException {
        etcd = EtcdProcess.start();
    }

    @AfterAll
    static void stopEtcd() throws IOException {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void open() throws Exception {
        endpoints = etcd.endpoint().substring("http://".length());
        store = EtcdKvs.connect(EtcdKvsOptions.of(etcd.endpoint()).withPrefix("test/" + UUID.randomUUID() + "/"));
        ns = store.primary();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aTransactionOverEtcdsLimitsIsRefusedBeforeItIsSentAndCommitsNothing() throws Exception {
        long before = ns.version();
        Txn many = new Txn();
        for (int i = 0; i < 200; i++) {
            many.put("k" + i, "v");
        }
        byte[] huge = new byte[2 << 20];

        assertThatThrownBy(() -> ns.commit(many)).isInstanceOf(LimitExceededException.class).hasMessageContaining("128");
        assertThatThrownBy(() -> ns.put("big", huge)).isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("bytes per request");
        assertThat(ns.version()).as("nothing was sent").isEqualTo(before);
        assertThat(ns.list(".")).isEmpty();
    }

    @Test
    void aValueLargerThanOneRequestIsBuiltByAppends() throws Exception {
        byte[] piece = new byte[1 << 20];
        java.util.Arrays.fill(piece, (byte) 7);
        ns.put("big", piece);
        ns.commit(new Txn().append("big", piece));

        assertThat(ns.get("big")).hasSize(2 << 20).containsOnly((byte) 7);
    }

    @Test
    void aCompactedRevisionIsNotRetained() throws Exception {
        long v1 = ns.put("k", "one");
        long v2 = ns.put("k", "two");
        try (Client raw = Client.builder().endpoints(store.options().endpoints()).build()) {
            raw.getKVClient().compact(v2).get();
        }

        assertThatThrownBy(() -> ns.at(v1).get("k")).isInstanceOfSatisfying(VersionNotRetainedException.class,
                e -> assertThat(e.version()).isEqualTo(v1));
        assertThat(ns.at(v2).getString("k")).isEqualTo("two");
    }

    @Test
    void aCommitWithoutAReadFallsBackToOneThatFindsTheRefusal() throws Exception {
        ns.put("a", "value");
        long dirVersion = ns.put("d.x", "1");
        ns.put("log", "start;");

        assertThatThrownBy(() -> ns.put("a.b", "under a value")).isInstanceOf(NotADirectoryException.class);
        assertThatThrownBy(() -> ns.append("d", "to a directory")).isInstanceOf(NotAValueException.class);
        assertThatThrownBy(() -> ns.commit(new Txn().require("log", 1).put("log", "x")))
                .isInstanceOf(ConflictException.class);
        long v = ns.commit(new Txn().require("d", dirVersion).put("d", "a value now"));
        long w = ns.append("fresh", "first");

        assertThat(ns.getString("d")).as("a precondition on a directory's version holds").isEqualTo("a value now");
        assertThat(ns.list(".")).containsExactly("a", "d", "fresh", "log");
        assertThat(ns.getString("fresh")).isEqualTo("first");
        assertThat(w).isGreaterThan(v);
    }

    @Test
    void aPutOfAnExistingValueWritesOnlyThatValuesKeysAndDirectoryVersionsStillMove() throws Exception {
        long first = ns.put("d.e.x", "1");
        long second = ns.put("d.e.x", "2");
        byte[] data = store.layout().dataPrefix("primary");
        KV kv = store.kv();

        assertThat(kv.get(Layout.bytes(Layout.dirKey(data, "d.e"))).get().getKvs().get(0).getModRevision())
                .as("the directory's marker is not rewritten").isEqualTo(first);
        assertThat(kv.get(store.layout().namespaceKey("primary")).get().getKvs().get(0).getModRevision())
                .as("nor is the namespace's key").isLessThanOrEqualTo(first);
        byte[][] all = Layout.namespaceRange(data);
        long written = kv.get(Layout.bytes(all[0]), GetOption.builder().withRange(Layout.bytes(all[1])).build()).get()
                .getKvs().stream().filter(k -> k.getModRevision() == second).count();
        assertThat(written).as("only the value's bytes, like a raw put").isEqualTo(1);
        assertThat(kv.get(Layout.bytes(Layout.valueKey(Layout.dirKey(data, "d.e.x")))).get().getKvs().get(0)
                .getModRevision()).as("not even the value's marker").isEqualTo(first);
        assertThat(ns.latest().keyVersion("d.e.x")).isEqualTo(second);
        assertThat(ns.latest().keyVersion("d.e")).isEqualTo(second);
        assertThat(ns.latest().keyVersion("d")).isEqualTo(second);
        assertThat(ns.latest().keyVersion(".")).isEqualTo(second);
        assertThat(ns.at(first).keyVersion("d")).isEqualTo(first);
        assertThat(ns.getString("d.e.x")).isEqualTo("2");
    }

    @ParameterizedTest(name = "require(\"{0}\", v)")
    @ValueSource(strings = {"d", "."})
    void aPreconditionOnADirectoryFailsIfAValueBeneathIsPutBetweenItsReadAndItsWrite(String dir) throws Exception {
        ns.put("d.x", "1");
        long v = ns.put("d.x", "2");
        Txn txn = new Txn().require(dir, v).put("e", "1");

        CommitPlan.Write write = planned(txn);
        ns.put("d.x", "3");                     // rewrites only d.x's keys

        assertThat(written(write).isSucceeded()).as("the write saw the put beneath '%s'", dir).isFalse();
        assertThatThrownBy(() -> ns.commit(txn)).isInstanceOf(ConflictException.class);
        assertThat(ns.get("e")).isNull();
    }

    @Test
    void aPreconditionOnAValueFailsIfItIsPutBetweenItsReadAndItsWrite() throws Exception {
        ns.put("x", "1");
        long v = ns.put("x", "2");
        Txn txn = new Txn().require("x", v).mkdir("z");     // a mkdir: planned from a read

        CommitPlan.Write write = planned(txn);
        ns.put("x", "3");                       // rewrites only x's put bytes

        assertThat(written(write).isSucceeded()).as("the write saw the put of x").isFalse();
        assertThatThrownBy(() -> ns.commit(txn)).isInstanceOf(ConflictException.class);
        assertThat(ns.list(".")).containsExactly("x");
    }

    @Test
    void aCopyFailsIfItsSourceIsPutBetweenItsReadAndItsWrite() throws Exception {
        ns.put("x", "old");
        ns.put("x", "old");

        CommitPlan.Write write = planned(new Txn().copy("x", "y"));
        ns.put("x", "new");

        assertThat(written(write).isSucceeded()).as("the copy saw its source change").isFalse();
        assertThat(ns.get("y")).isNull();
        ns.commit(new Txn().copy("x", "y"));
        assertThat(ns.getString("y")).isEqualTo("new");
    }

    @Test
    void aPutOfAKeyThisStoreThoughtAValueIsRightAfterAnotherStoreMadeItADirectory() throws Exception {
        ns.put("k", "1");
        ns.put("k", "2");                       // k is now known to this store as a value
        try (EtcdKvs other = EtcdKvs.connect(store.options())) {
            other.primary().commit(new Txn().unlink("k").put("k.x", "beneath"));
        }

        long v = ns.put("k", "3");

        assertThat(ns.getString("k")).isEqualTo("3");
        assertThat(ns.at(v).keyVersion("k")).isEqualTo(v);
        assertThat(ns.list(".")).containsExactly("k");
        assertThat(ns.get("k.x")).as("the directory it replaced is gone").isNull();
    }

    @Test
    void aPutOfAValueThisStoreKnowsIsOneCompareAndOneWrite() throws Exception {
        ns.put("k", "1");
        long second = ns.put("k", "2");
        byte[] data = store.layout().dataPrefix("primary");
        byte[][] all = Layout.namespaceRange(data);

        long third = ns.put("k", "3");

        assertThat(store.kv().get(Layout.bytes(all[0]), GetOption.builder().withRange(Layout.bytes(all[1])).build()).get()
                .getKvs().stream().filter(k -> k.getModRevision() == third).count()).isEqualTo(1);
        assertThat(third).isGreaterThan(second);
        assertThat(ns.getString("k")).isEqualTo("3");
        assertThat(ns.latest().keyVersion("k")).isEqualTo(third);
    }

    @ParameterizedTest(name = "another store {0}")
    @ValueSource(strings = {"appends", "unlinks and puts again", "puts", "appends, then puts"})
    void aPutOfAValueThisStoreKnowsIsRightAfterAnotherStoreChangedIt(String change) throws Exception {
        ns.put("k", "1");
        ns.put("k", "2");                       // k is now known to this store as a value without pieces
        try (EtcdKvs other = EtcdKvs.connect(store.options())) {
            Namespace o = other.primary();
            switch (change) {
                case "appends" -> o.commit(new Txn().append("k", "+piece"));
                case "unlinks and puts again" -> {
                    o.commit(new Txn().unlink("k"));
                    o.commit(new Txn().append("k", "fresh"));
                    o.commit(new Txn().append("k", "+piece"));
                }
                case "puts" -> o.put("k", "other");
                default -> {
                    o.commit(new Txn().append("k", "+piece"));
                    o.put("k", "other");
                }
            }
        }

        long v = ns.put("k", "3");

        assertThat(ns.getString("k")).as("no piece appended before survives the put").isEqualTo("3");
        assertThat(ns.at(v).keyVersion("k")).isEqualTo(v);
        ns.commit(new Txn().append("k", "+4"));
        assertThat(ns.put("k", "5")).isGreaterThan(v);
        assertThat(ns.getString("k")).isEqualTo("5");
    }

    /** Reads and plans {@code txn} as a commit of {@code ns} would, without writing. */
    private CommitPlan.Write planned(Txn txn) throws Exception {
        CommitPlan plan = new CommitPlan("primary", store.layout().namespaceKey("primary"),
                store.layout().dataPrefix("primary"), txn, new byte[16]);
        TxnResponse read = store.kv().txn().Then(plan.reads().toArray(Op[]::new)).commit().get();
        return plan.plan(read.getGetResponses());
    }

    private TxnResponse written(CommitPlan.Write write) throws Exception {
        return store.kv().txn().If(write.compares().toArray(Cmp[]::new)).Then(write.ops().toArray(Op[]::new))
                .commit().get();
    }

    @Test
    void concurrentAppendsToOneLogNeverConflictAndKeepEveryPiece() throws Exception {
        ns.put("log", "");
        int writers = 8;
        int each = 25;
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < writers; t++) {
            String me = "w" + t;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        ns.append("log", me + ":" + i + ";");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(failures).isEmpty();
        String log = ns.getString("log");
        for (int t = 0; t < writers; t++) {
            int last = -1;
            for (String piece : log.split(";")) {
                if (piece.startsWith("w" + t + ":")) {
                    int i = Integer.parseInt(piece.substring(piece.indexOf(':') + 1));
                    assertThat(i).as("writer %d's appends in order", t).isEqualTo(last + 1);
                    last = i;
                }
            }
            assertThat(last).isEqualTo(each - 1);
        }
    }

    @Test
    void aStoreOpensFromAnEtcdLocation() throws Exception {
        String prefix = "test/" + UUID.randomUUID() + "/";
        try (KvsStore byLocation = KvsStore.open("etcd://" + endpoints + "/" + prefix)) {
            long v = byLocation.primary().put("k", "v");
            assertThat(byLocation).isInstanceOf(EtcdKvs.class);
            assertThat(((EtcdKvs) byLocation).options().prefix()).isEqualTo(prefix);
            assertThat(byLocation.primary().at(v).getString("k")).isEqualTo("v");
        }
    }

    @Test
    void anEtcdThatNeverAnswersFailsTheConnectWithinTheTimeout() throws Exception {
        try (ServerSocketChannel silent = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) silent.getLocalAddress()).getPort();

            assertThatThrownBy(() -> EtcdKvs.connect(EtcdKvsOptions.of("127.0.0.1:" + port)
                    .withCallTimeout(Duration.ofMillis(500)))).isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot reach etcd");
        }
    }
}
