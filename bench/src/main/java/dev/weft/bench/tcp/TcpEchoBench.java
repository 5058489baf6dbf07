package dev.weft.bench.tcp;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TCP echo, 64-byte request/response on long-lived loopback connections: Weft (selector service)
 * vs a virtual thread per connection on blocking sockets vs Netty, for 64 and 1,000 connections.
 *
 * <p>Each connection is a virtual-thread client that writes 64 bytes, reads the 64 back, and repeats.
 * Every case warms up, then measures; the whole set repeats {@code rounds} times and the median is
 * reported. Arguments: {@code [rounds] [warmupSeconds] [measureSeconds]} (default 3 3 5).
 */
public final class TcpEchoBench {
    private static final int MESSAGE = 64;
    private static final int[] CONNECTIONS = {64, 1_000};
    private static final String[] SERVERS = {"weft", "vthreads", "netty"};

    private TcpEchoBench() {
    }

    /** What one measured interval gave. */
    record Result(double requestsPerSecond, double p99Micros, String extra) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int measure = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("TCP echo, %d-byte request/response; JDK %s, %d cpus; %d rounds, %ds warm-up, %ds measured%n",
                MESSAGE, Runtime.version(), Runtime.getRuntime().availableProcessors(), rounds, warmup, measure);
        List<String> names = new ArrayList<>();
        List<List<Result>> results = new ArrayList<>();
        for (String server : SERVERS) {
            for (int connections : CONNECTIONS) {
                names.add(server + " x" + connections);
                results.add(new ArrayList<>());
            }
        }
        for (int round = 1; round <= rounds; round++) {
            int i = 0;
            for (String server : SERVERS) {
                for (int connections : CONNECTIONS) {
                    try (EchoServer s = start(server)) {
                        run(s, connections, warmup);
                        Result r = run(s, connections, measure);
                        results.get(i).add(r);
                        System.out.printf(Locale.ROOT, "round %d  %-14s %,12.0f req/s  p99 %,8.0f us  %s%n",
                                round, names.get(i), r.requestsPerSecond(), r.p99Micros(), r.extra());
                    }
                    i++;
                }
            }
        }
        System.out.println();
        System.out.println("| case | req/s (median) | p99 round trip (median) | notes |");
        System.out.println("| --- | ---: | ---: | --- |");
        for (int i = 0; i < names.size(); i++) {
            List<Result> rs = results.get(i);
            double[] rps = rs.stream().mapToDouble(Result::requestsPerSecond).sorted().toArray();
            double[] p99 = rs.stream().mapToDouble(Result::p99Micros).sorted().toArray();
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f us | %s |%n", names.get(i), rps[rps.length / 2],
                    p99[p99.length / 2], rs.get(rs.size() / 2).extra());
        }
    }

    private static EchoServer start(String name) throws Exception {
        return switch (name) {
            case "weft" -> new WeftEchoServer();
            case "vthreads" -> new VirtualThreadEchoServer();
            case "netty" -> new NettyEchoServer();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Runs {@code connections} clients for {@code seconds}; returns the rate and the p99 latency. */
    private static Result run(EchoServer server, int connections, int seconds) throws Exception {
        CountDownLatch connected = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger stop = new AtomicInteger();
        List<Future<long[]>> clients = new ArrayList<>();
        long elapsed;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                clients.add(threads.submit(client(server.port(), connected, go, stop)));
            }
            connected.await();
            long start = System.nanoTime();
            go.countDown();
            Thread.sleep(seconds * 1000L);
            stop.set(1);
            elapsed = System.nanoTime() - start;
            long total = 0;
            List<long[]> latencies = new ArrayList<>();
            for (Future<long[]> f : clients) {
                long[] l = f.get();
                latencies.add(l);
                total += l.length;
            }
            long[] all = new long[(int) total];
            int at = 0;
            for (long[] l : latencies) {
                System.arraycopy(l, 0, all, at, l.length);
                at += l.length;
            }
            Arrays.sort(all);
            double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e3;
            return new Result(total / (elapsed / 1e9), p99, server.report(total));
        }
    }

    private static Callable<long[]> client(int port, CountDownLatch connected, CountDownLatch go, AtomicInteger stop) {
        return () -> {
            long[] latencies = new long[1 << 12];
            int n = 0;
            byte[] request = new byte[MESSAGE];
            byte[] response = new byte[MESSAGE];
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                connected.countDown();
                go.await();
                while (stop.get() == 0) {
                    request[0] = (byte) n;
                    long t0 = System.nanoTime();
                    out.write(request);
                    if (in.readNBytes(response, 0, MESSAGE) != MESSAGE || response[0] != request[0]) {
                        throw new IllegalStateException("bad echo");
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = System.nanoTime() - t0;
                }
            }
            return Arrays.copyOf(latencies, n);
        };
    }
}
