package dev.weft.bench.kvs;

import dev.weft.actors.net.Tls;
import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsClientOptions;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.KvsServer;
import dev.weft.kvs.KvsServerOptions;
import dev.weft.kvs.KvsStore;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.Txn;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import dev.weft.kvs.etcd.EtcdKvs;
import dev.weft.kvs.etcd.EtcdKvsOptions;
import dev.weft.runtime.Weft;
import dev.weft.testkit.SelfSignedCertificate;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The KVS backends against etcd, in one run: durable 100-byte puts per second for 1, 8 and 64
 * concurrent clients, and watch latency (commit to event), for
 * <ul>
 *   <li>the Weft KVS in process;
 *   <li>the Weft KVS server over loopback, in this JVM, its selector on the epoll backend when the JVM
 *       allows it ({@code bench/kvs-bench.sh} passes the flags; docs/selector.md): all callers on one
 *       shared {@link KvsClient}, as the etcd cases share one jetcd client (the column compared with
 *       etcd), and again with a client (a connection) per caller;
 *   <li>etcd through raw jetcd ({@code kv.put}, one shared client, as jetcd is meant to be used);
 *   <li>the same as a raw jetcd transaction with one compare on the key ({@code If(mod_revision <
 *       max) Then(put)}): what a Weft put of a value the store wrote before sends (one compare on
 *       its marker, one put), so the difference between the two raw columns is etcd's price for the
 *       compare and the rest is the contract's own;
 *   <li>the Weft contract on that same etcd ({@link EtcdKvs}, one shared store).
 * </ul>
 * and the cost of TLS: the Weft KVS server and raw jetcd on etcd again, each speaking TLS 1.3 with a
 * self-signed EC P-256 certificate that keytool makes at start ({@link SelfSignedCertificate}; etcd
 * through its own {@code --cert-file}/{@code --key-file}).
 *
 * <pre>
 *   bench/kvs-bench.sh [--seconds 5] [--runs 3] [--clients 1,8,64] [--no-etcd] [--no-tls]
 * </pre>
 *
 * Each throughput case runs {@code runs} times in a fresh store (after a one-second warm-up) and
 * reports the median; a TLS case runs right after its plain twin. Latency: one writer commits a timestamp, waits until the watcher has it,
 * then commits the next; p50/p99 over {@value #LATENCY_SAMPLES} samples, median over runs.
 */
public final class KvsBench {
    private static final String CLIENTS = "1,8,64";
    private static final int LATENCY_SAMPLES = 2000;
    private static final int LATENCY_WARMUP = 200;
    private static final int ETCD_PORT = 23790;
    private static final String WATCHED = "bench.watched";

    /** How the etcd cases write: raw puts, raw one-compare transactions, or the Weft contract. */
    private enum EtcdWrite { PUT, COMPARE_AND_PUT, WEFT }

    private interface Put {
        void put(String key, byte[] value) throws Exception;
    }

    private KvsBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 5);
        int runs = intArg(args, "--runs", 3);
        int[] clientCounts = Arrays.stream(stringArg(args, "--clients", CLIENTS).split(","))
                .mapToInt(Integer::parseInt).toArray();
        boolean etcd = !Arrays.asList(args).contains("--no-etcd");
        boolean tls = !Arrays.asList(args).contains("--no-tls");
        Path base = Files.createTempDirectory("kvs-bench");
        SelfSignedCertificate cert = tls ? SelfSignedCertificate.make(base.resolve("tls"), "bench") : null;
        System.out.printf("# KVS benchmark: %d s per case, median of %d runs, data in %s%n", seconds, runs, base);
        System.out.printf("# JDK %s, %d cpus, %s, load average at start %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                loadAverage());
        List<String> rows = new ArrayList<>();
        List<String> tlsRows = new ArrayList<>();
        for (int clients : clientCounts) {
            double local = median(runs, () -> weftCommits(base, clients, seconds));
            double server = median(runs, () -> weftNetworkCommits(base, clients, seconds, null, 1));
            double serverTls = tls ? median(runs, () -> weftNetworkCommits(base, clients, seconds, cert, 1)) : Double.NaN;
            double serverApart = median(runs, () -> weftNetworkCommits(base, clients, seconds, null, clients));
            double raw = etcd ? median(runs, () -> etcdCommits(base, clients, seconds, EtcdWrite.PUT, null)) : Double.NaN;
            double rawTls = etcd && tls ? median(runs, () -> etcdCommits(base, clients, seconds, EtcdWrite.PUT, cert)) : Double.NaN;
            double rawTxn = etcd ? median(runs, () -> etcdCommits(base, clients, seconds, EtcdWrite.COMPARE_AND_PUT, null)) : Double.NaN;
            double backend = etcd ? median(runs, () -> etcdCommits(base, clients, seconds, EtcdWrite.WEFT, null)) : Double.NaN;
            String plural = clients == 1 ? "" : "s";
            rows.add(String.format("| durable puts/s, %d client%s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.2fx | %+.0f%% | %+.0f%% |",
                    clients, plural, local, server, serverApart, raw, rawTxn, backend, server / raw, 100 * (raw / backend - 1),
                    100 * (rawTxn / backend - 1)));
            System.out.println(rows.get(rows.size() - 1));
            if (tls) {
                tlsRows.add(String.format("| durable puts/s, %d client%s | %,.0f | %,.0f | %.0f%% | %,.0f | %,.0f | %.0f%% |",
                        clients, plural, server, serverTls, cost(server, serverTls), raw, rawTls, cost(raw, rawTls)));
                System.out.println(tlsRows.get(tlsRows.size() - 1));
            }
        }
        double[] local = medianPair(runs, () -> watchLatency(base, Backend.IN_PROCESS));
        double[] server = medianPair(runs, () -> watchLatency(base, Backend.SERVER));
        double[] raw = etcd ? medianPair(runs, () -> etcdRawWatchLatency(base)) : new double[] {Double.NaN, Double.NaN};
        double[] backend = etcd ? medianPair(runs, () -> watchLatency(base, Backend.ETCD)) : new double[] {Double.NaN, Double.NaN};
        rows.add(String.format("| watch latency p50 / p99 (µs) | %.0f / %.0f | %.0f / %.0f | | %.0f / %.0f | | %.0f / %.0f | p99 %.2fx | | |",
                local[0], local[1], server[0], server[1], raw[0], raw[1], backend[0], backend[1], server[1] / raw[1]));
        System.out.println(rows.get(rows.size() - 1));
        System.out.println();
        System.out.println("| case | Weft in process | Weft server (loopback), one shared client "
                + "| Weft server, a client per caller | etcd 3.4 (raw jetcd put, one shared client) "
                + "| etcd 3.4 (raw jetcd, one-compare txn) | Weft on etcd (EtcdKvs) "
                + "| server / etcd | EtcdKvs overhead over raw put | EtcdKvs overhead over raw txn |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
        if (tls) {
            System.out.println();
            System.out.println("| case | Weft server, plain | Weft server, TLS | TLS cost | etcd 3.4 (raw jetcd), plain "
                    + "| etcd 3.4 (raw jetcd), TLS | TLS cost |");
            System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            tlsRows.forEach(System.out::println);
        }
        System.out.printf("%n# load average at the end %s%n", loadAverage());
        deleteTree(base);
    }

    /**
     * The 1, 5 and 15 minute load averages, so a run on a busy machine says so (numbers from a
     * shared machine are noisy); "unknown" where /proc/loadavg is missing.
     */
    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The share of {@code plain}'s throughput lost with TLS, in percent. */
    private static double cost(double plain, double tls) {
        return 100 * (1 - tls / plain);
    }

    // ---------------------------------------------------------------- throughput

    private static double weftCommits(Path base, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(base, "weft");
        try (Kvs kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.BATCHED))) {
            Namespace ns = kvs.primary();
            return throughput(clients, seconds, (key, value) -> ns.commit(new Txn().put(key, value)));
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Like {@link #weftCommits}, the callers sharing {@code connections} {@link KvsClient}s (1: one for
     * all, as the etcd cases share one jetcd client; {@code clients}: one each) to a {@link KvsServer}
     * on loopback; over TLS with {@code cert} (plain TCP if null).
     */
    private static double weftNetworkCommits(Path base, int clients, int seconds, SelfSignedCertificate cert,
            int connections) throws Exception {
        Path dir = Files.createTempDirectory(base, "weft-net");
        List<KvsClient> opened = new ArrayList<>();
        try (Weft weft = Weft.start(); Kvs kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.BATCHED))) {
            KvsServerOptions serverOptions = KvsServerOptions.loopback(0);
            if (cert != null) {
                serverOptions = serverOptions.withTls(Tls.server(Tls.Identity.pem(cert.certificatePem(), cert.privateKeyPem())));
            }
            KvsServer server = KvsServer.start(weft, kvs, serverOptions);
            KvsClientOptions clientOptions = KvsClientOptions.of(server.address());
            if (cert != null) {
                clientOptions = clientOptions.withTls(Tls.client().withTrust(Tls.Trust.pem(cert.certificatePem())));
            }
            java.util.Map<String, Namespace> byKey = new java.util.HashMap<>();
            for (int c = 0; c < connections; c++) {
                opened.add(KvsClient.connect(clientOptions));
            }
            for (int c = 0; c < clients; c++) {
                byKey.put("bench.c" + c, opened.get(c % connections).primary());
            }
            return throughput(clients, seconds, (key, value) -> byKey.get(key).commit(new Txn().put(key, value)));
        } finally {
            opened.forEach(KvsClient::close);
            deleteTree(dir);
        }
    }

    /**
     * Puts on etcd as {@code write} says, on one shared client; over TLS with {@code cert} (plain if
     * null; the Weft contract runs plain only).
     */
    private static double etcdCommits(Path base, int clients, int seconds, EtcdWrite write, SelfSignedCertificate cert)
            throws Exception {
        Path dir = Files.createTempDirectory(base, "etcd");
        try (Etcd etcd = Etcd.start(dir, ETCD_PORT, cert)) {
            if (write == EtcdWrite.WEFT) {
                try (EtcdKvs store = EtcdKvs.connect(EtcdKvsOptions.of(etcd.endpoint()))) {
                    Namespace ns = store.primary();
                    return throughput(clients, seconds, (key, value) -> ns.commit(new Txn().put(key, value)));
                }
            }
            var builder = Client.builder().endpoints(etcd.endpoint());
            if (cert != null) {
                builder.sslContext(ssl -> ssl.trustManager(cert.certificatePem().toFile()));
            }
            try (Client client = builder.build()) {
                KV kv = client.getKVClient();
                if (write == EtcdWrite.COMPARE_AND_PUT) {
                    return throughput(clients, seconds, (key, value) -> {
                        ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
                        kv.txn().If(new Cmp(k, Cmp.Op.LESS, CmpTarget.modRevision(Long.MAX_VALUE)))
                                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT)).commit().get();
                    });
                }
                return throughput(clients, seconds, (key, value) -> kv.put(ByteSequence.from(key, StandardCharsets.UTF_8),
                        ByteSequence.from(value)).get());
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Runs {@code clients} virtual threads putting 100-byte values; returns acknowledged puts per second. */
    private static double throughput(int clients, int seconds, Put put) throws Exception {
        run(clients, 1, put, new LongAdder());
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        run(clients, seconds, put, done);
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }

    private static void run(int clients, int seconds, Put put, LongAdder done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        byte[] value = new byte[100];
        CountDownLatch finished = new CountDownLatch(clients);
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int c = 0; c < clients; c++) {
            String key = "bench.c" + c;
            Thread.ofVirtual().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        put.put(key, value);
                        done.increment();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    finished.countDown();
                }
            });
        }
        finished.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a client failed", failures.get(0));
        }
    }

    // ---------------------------------------------------------------- watch latency

    /** Where a watch-latency case runs. */
    private enum Backend { IN_PROCESS, SERVER, ETCD }

    /** Receives watch events on a listener and records how long after the writer's timestamp each arrived. */
    private static final class Watcher implements java.util.function.Consumer<WatchEvent> {
        final long[] samples = new long[LATENCY_WARMUP + LATENCY_SAMPLES];
        final Semaphore received = new Semaphore(0);
        int count;

        @Override
        public void accept(WatchEvent e) {
            if (e instanceof WatchEvent.Value v && v.value() != null) {
                record(samples, count++, Long.parseLong(new String(v.value(), StandardCharsets.UTF_8)));
                received.release();
            }
        }
    }

    /** A durable store of {@code backend}, a watcher on it, and one writer taking turns with it. */
    private static double[] watchLatency(Path base, Backend backend) throws Exception {
        Path dir = Files.createTempDirectory(base, "watch");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            KvsStore store = switch (backend) {
                case IN_PROCESS -> Kvs.open(KvsOptions.durable(dir));
                case SERVER -> {
                    Weft weft = Weft.start();
                    open.add(weft);
                    Kvs kvs = Kvs.open(KvsOptions.durable(dir));
                    open.add(kvs);
                    yield KvsClient.connect(KvsServer.start(weft, kvs, KvsServerOptions.loopback(0)).address());
                }
                case ETCD -> {
                    Etcd etcd = Etcd.start(dir, ETCD_PORT);
                    open.add(etcd);
                    yield EtcdKvs.connect(EtcdKvsOptions.of(etcd.endpoint()));
                }
            };
            open.add(0, store);
            Namespace ns = store.primary();
            Watcher watcher = new Watcher();
            ns.watch(WATCHED, WatchMode.VALUE, watcher);
            for (int i = 0; i < watcher.samples.length; i++) {
                ns.commit(new Txn().put(WATCHED, Long.toString(System.nanoTime())));
                awaitOne(watcher.received);
            }
            return percentiles(watcher.samples);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
            deleteTree(dir);
        }
    }

    /** The same with raw jetcd: a put of the timestamp, a watch on the key. */
    private static double[] etcdRawWatchLatency(Path base) throws Exception {
        Path dir = Files.createTempDirectory(base, "etcd");
        long[] samples = new long[LATENCY_WARMUP + LATENCY_SAMPLES];
        Semaphore received = new Semaphore(0);
        int[] count = {0};
        ByteSequence key = ByteSequence.from(WATCHED, StandardCharsets.UTF_8);
        try (Etcd etcd = Etcd.start(dir, ETCD_PORT); Client client = Client.builder().endpoints(etcd.endpoint()).build();
                io.etcd.jetcd.Watch.Watcher w = client.getWatchClient().watch(key, response -> response.getEvents().forEach(e -> {
                    record(samples, count[0]++, Long.parseLong(e.getKeyValue().getValue().toString(StandardCharsets.UTF_8)));
                    received.release();
                }))) {
            KV kv = client.getKVClient();
            for (int i = 0; i < samples.length; i++) {
                kv.put(key, ByteSequence.from(Long.toString(System.nanoTime()), StandardCharsets.UTF_8)).get();
                awaitOne(received);
            }
            return percentiles(samples);
        } finally {
            deleteTree(dir);
        }
    }

    private static void record(long[] samples, int i, long sentNanos) {
        if (i < samples.length) {
            samples[i] = System.nanoTime() - sentNanos;
        }
    }

    private static void awaitOne(Semaphore received) throws InterruptedException {
        if (!received.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a watch event did not arrive within 10 s");
        }
    }

    /** p50 and p99 in microseconds, leaving out the warm-up samples. */
    private static double[] percentiles(long[] samples) {
        long[] s = Arrays.copyOfRange(samples, LATENCY_WARMUP, samples.length);
        Arrays.sort(s);
        return new double[] {s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3};
    }

    // ---------------------------------------------------------------- helpers

    private interface Case<T> {
        T run() throws Exception;
    }

    private static double median(int runs, Case<Double> c) throws Exception {
        double[] r = new double[runs];
        for (int i = 0; i < runs; i++) {
            r[i] = c.run();
        }
        Arrays.sort(r);
        return r[runs / 2];
    }

    private static double[] medianPair(int runs, Case<double[]> c) throws Exception {
        double[] p50 = new double[runs];
        double[] p99 = new double[runs];
        for (int i = 0; i < runs; i++) {
            double[] r = c.run();
            p50[i] = r[0];
            p99[i] = r[1];
        }
        Arrays.sort(p50);
        Arrays.sort(p99);
        return new double[] {p50[runs / 2], p99[runs / 2]};
    }

    private static int intArg(String[] args, String name, int otherwise) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(otherwise)));
    }

    private static String stringArg(String[] args, String name, String otherwise) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
