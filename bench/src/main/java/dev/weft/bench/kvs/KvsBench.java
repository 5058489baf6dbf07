package dev.weft.bench.kvs;

import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.KvsServer;
import dev.weft.kvs.KvsServerOptions;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.Txn;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
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
 * Durable commits per second (group commit with fsync) for 1, 8 and 64 concurrent clients, and watch
 * notification latency, for the Weft KVS in process, the Weft KVS over its network path
 * ({@link KvsClient} to {@link KvsServer} on loopback, one connection per client) and for etcd over
 * loopback, in one run.
 *
 * <pre>
 *   bench/kvs-bench.sh [--seconds 5] [--runs 3] [--no-etcd]
 * </pre>
 *
 * Each throughput case runs {@code runs} times in a fresh store (after a one-second warm-up) and
 * reports the median. Latency: one writer commits a timestamp, waits until the watcher has it,
 * then commits the next; p50/p99 over {@value #LATENCY_SAMPLES} samples, median over runs.
 */
public final class KvsBench {
    private static final int[] CLIENTS = {1, 8, 64};
    private static final int LATENCY_SAMPLES = 2000;
    private static final int LATENCY_WARMUP = 200;
    private static final int ETCD_PORT = 23790;

    private interface Put {
        void put(String key, byte[] value) throws Exception;
    }

    private KvsBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 5);
        int runs = intArg(args, "--runs", 3);
        boolean etcd = !Arrays.asList(args).contains("--no-etcd");
        Path base = Files.createTempDirectory("kvs-bench");
        System.out.printf("# KVS benchmark: %d s per case, median of %d runs, data in %s%n", seconds, runs, base);
        System.out.printf("# JDK %s, %d cpus, %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        List<String> rows = new ArrayList<>();
        for (int clients : CLIENTS) {
            double weft = median(runs, () -> weftCommits(base, clients, seconds));
            double network = median(runs, () -> weftNetworkCommits(base, clients, seconds));
            double peer = etcd ? median(runs, () -> etcdCommits(base, clients, seconds)) : Double.NaN;
            rows.add(String.format("| durable commits/s, %d client%s | %,.0f | %,.0f | %,.0f | %.2fx | %.2fx |", clients,
                    clients == 1 ? "" : "s", weft, network, peer, weft / peer, network / peer));
            System.out.println(rows.get(rows.size() - 1));
        }
        for (String kind : List.of("in-memory", "durable")) {
            double[] weft = medianPair(runs, () -> weftWatchLatency(base, kind.equals("durable")));
            rows.add(String.format("| watch latency p50 / p99 (µs), Weft %s | %.0f / %.0f | | | | |", kind, weft[0], weft[1]));
            System.out.println(rows.get(rows.size() - 1));
        }
        if (etcd) {
            double[] peer = medianPair(runs, () -> etcdWatchLatency(base));
            rows.add(String.format("| watch latency p50 / p99 (µs), etcd (put to event) | | | %.0f / %.0f | | |", peer[0], peer[1]));
            System.out.println(rows.get(rows.size() - 1));
        }
        System.out.println();
        System.out.println("| case | Weft KVS (in process) | Weft KVS (network, loopback) | etcd 3.4 (loopback HTTP gateway) "
                + "| in process / etcd | network / etcd |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        rows.forEach(System.out::println);
        deleteTree(base);
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

    /** Like {@link #weftCommits}, each client a {@link KvsClient} connection to a {@link KvsServer} on loopback. */
    private static double weftNetworkCommits(Path base, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(base, "weft-net");
        List<KvsClient> connections = new ArrayList<>();
        try (Weft weft = Weft.start(); Kvs kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.BATCHED))) {
            KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
            java.util.Map<String, Namespace> byKey = new java.util.HashMap<>();
            for (int c = 0; c < clients; c++) {
                KvsClient client = KvsClient.connect(server.address());
                connections.add(client);
                byKey.put("bench.c" + c, client.primary());
            }
            return throughput(clients, seconds, (key, value) -> byKey.get(key).commit(new Txn().put(key, value)));
        } finally {
            connections.forEach(KvsClient::close);
            deleteTree(dir);
        }
    }

    private static double etcdCommits(Path base, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(base, "etcd");
        try (Etcd etcd = Etcd.start(dir, ETCD_PORT)) {
            return throughput(clients, seconds, etcd::put);
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

    /** Receives watch events and records how long after the writer's timestamp each arrived. */
    private static final class Watcher extends Component {
        final Inbox<WatchEvent> events = inbox("events", WatchEvent.class, 1024);
        final long[] samples = new long[LATENCY_WARMUP + LATENCY_SAMPLES];
        final Semaphore received = new Semaphore(0);
        int count;

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(events, control()) == control()) {
                    return;
                }
                if (events.poll() instanceof WatchEvent.Value v && v.value() != null) {
                    record(samples, count++, Long.parseLong(new String(v.value(), StandardCharsets.UTF_8)));
                    received.release();
                }
            }
        }
    }

    private static double[] weftWatchLatency(Path base, boolean durable) throws Exception {
        Path dir = Files.createTempDirectory(base, "weft");
        try (Weft weft = Weft.start();
                Kvs kvs = Kvs.open(durable ? KvsOptions.durable(dir) : KvsOptions.inMemory())) {
            Namespace ns = kvs.primary();
            Watcher watcher = weft.spawn(new Watcher());
            ns.watch("bench.watched", WatchMode.VALUE, watcher.events);
            for (int i = 0; i < watcher.samples.length; i++) {
                ns.commit(new Txn().put("bench.watched", Long.toString(System.nanoTime())));
                awaitOne(watcher.received);
            }
            return percentiles(watcher.samples);
        } finally {
            deleteTree(dir);
        }
    }

    private static double[] etcdWatchLatency(Path base) throws Exception {
        Path dir = Files.createTempDirectory(base, "etcd");
        long[] samples = new long[LATENCY_WARMUP + LATENCY_SAMPLES];
        Semaphore received = new Semaphore(0);
        int[] count = {0};
        try (Etcd etcd = Etcd.start(dir, ETCD_PORT)) {
            etcd.watch("bench/watched", sent -> {
                record(samples, count[0]++, sent);
                received.release();
            });
            for (int i = 0; i < samples.length; i++) {
                etcd.put("bench/watched", Long.toString(System.nanoTime()).getBytes(StandardCharsets.UTF_8));
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
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
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
