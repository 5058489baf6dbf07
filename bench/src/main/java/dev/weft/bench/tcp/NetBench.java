package dev.weft.bench.tcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * TCP echo and HTTP/1.1 keep-alive "hello" against Netty (NIO and native epoll transports), a virtual
 * thread per connection on blocking sockets, and Weft's TCP components on each selector backend.
 *
 * <p>Every server runs in a fresh JVM of its own ({@link ServerMain}); this JVM drives it with a
 * {@link LoadGenerator} (non-blocking, one request in flight per connection, as {@code wrk} without
 * pipelining). Each case warms up, then measures requests per second, the round-trip p50/p99, and the
 * server's CPU time and context switches per request (steadier than the rate on a shared machine); with
 * {@code --strace S} it then counts the server's system calls for S more seconds ({@code strace -c -f
 * -p}) and divides by the requests answered meanwhile (strace slows the server, so take the count,
 * not the rate, from that window). Weft servers also report selector wake-ups per readiness. The set
 * repeats {@code --rounds} times and the table gives medians.
 *
 * <pre>
 * java -cp bench/target/weft-bench.jar dev.weft.bench.tcp.NetBench \
 *     --protocols echo,http --connections 64,1000 \
 *     --servers netty-nio,netty-epoll,vthreads,weft-nio,weft-epoll \
 *     --rounds 3 --warmup 5 --measure 10 --strace 3 --load-threads 1
 * </pre>
 * Server names: {@code netty-nio}, {@code netty-epoll}, {@code vthreads}, {@code weft-nio},
 * {@code weft-epoll}; a Weft name may end in {@code -Nloops} for N selector loops
 * ({@code weft.selector.pollers}) and in {@code -virtual} or {@code -platform} for the loops' threads
 * ({@code weft.selector.thread}), e.g. {@code weft-epoll-platform}, {@code weft-nio-2loops-virtual}.
 */
public final class NetBench {
    private static final List<String> JVM_FLAGS = List.of("-Xmx1g", "--enable-native-access=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

    private NetBench() {
    }

    /** One measured case. */
    record Result(double requestsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerRequest,
            double switchesPerRequest, double syscallsPerRequest, double wakeupsPerReadiness, String syscalls) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        List<String> protocols = List.of(options.getOrDefault("protocols", "echo,http").split(","));
        int[] connections = Arrays.stream(options.getOrDefault("connections", "64,1000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        List<String> servers = List.of(options.getOrDefault("servers",
                "netty-nio,netty-epoll,vthreads,weft-nio,weft-epoll").split(","));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
        int measure = Integer.parseInt(options.getOrDefault("measure", "10"));
        int strace = Integer.parseInt(options.getOrDefault("strace", "0"));
        int loadThreads = Integer.parseInt(options.getOrDefault("load-threads", "1"));
        System.out.printf(Locale.ROOT, "JDK %s, %d cpus, load average %s; %d rounds, %ds warm-up, %ds measured,"
                + " strace %ds, %d load thread(s)%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                loadAverage(), rounds, warmup, measure, strace, loadThreads);

        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String protocol : protocols) {
                for (int c : connections) {
                    for (String server : servers) {
                        String name = protocol + " x" + c + " " + server;
                        Result r = runCase(server, Protocol.of(protocol), c, warmup, measure, strace, loadThreads);
                        results.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
                        System.out.printf(Locale.ROOT, "round %d  %-32s %,10.0f req/s  p50 %,7.0f us  p99 %,8.0f us"
                                + "  cpu %5.1f us/req  switches/req %5.2f  syscalls/req %5.2f  wakeups/readiness %5.3f"
                                + "  %s%n", round, name, r.requestsPerSecond(), r.p50Micros(), r.p99Micros(),
                                r.cpuMicrosPerRequest(), r.switchesPerRequest(), r.syscallsPerRequest(),
                                r.wakeupsPerReadiness(), r.syscalls());
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| case | req/s (median) | p50 | p99 | server CPU/request | context switches/request"
                + " | syscalls/request | wake-ups/readiness |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            List<Result> rs = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f us | %,.0f us | %.1f us | %.2f | %s | %s |%n",
                    e.getKey(), median(rs, Result::requestsPerSecond), median(rs, Result::p50Micros),
                    median(rs, Result::p99Micros), median(rs, Result::cpuMicrosPerRequest),
                    median(rs, Result::switchesPerRequest), orDash(median(rs, Result::syscallsPerRequest), "%.2f"),
                    orDash(median(rs, Result::wakeupsPerReadiness), "%.3f"));
        }
    }

    private static Result runCase(String server, Protocol protocol, int connections, int warmup, int measure,
            int strace, int loadThreads) throws Exception {
        Process child = startServer(server, protocol);
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter commands = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8);
        try {
            int port = Integer.parseInt(expect(out, "port=").substring("port=".length()));
            try (LoadGenerator load = new LoadGenerator(protocol, port, connections, loadThreads)) {
                TimeUnit.SECONDS.sleep(warmup);
                Map<String, Double> before = report(commands, out);
                load.interval();
                long done = load.completed();
                long cpuBefore = cpuNanos(child);
                long switchesBefore = contextSwitches(child.pid());
                long start = System.nanoTime();
                TimeUnit.SECONDS.sleep(measure);
                double seconds = (System.nanoTime() - start) / 1e9;
                long requests = load.completed() - done;
                double cpuMicros = (cpuNanos(child) - cpuBefore) / 1e3;
                double switches = contextSwitches(child.pid()) - switchesBefore;
                Histogram latency = load.interval();
                Map<String, Double> after = report(commands, out);
                double readiness = after.getOrDefault("readiness", 0.0) - before.getOrDefault("readiness", 0.0);
                double wakeups = after.getOrDefault("wakeups", 0.0) - before.getOrDefault("wakeups", 0.0);
                Syscalls syscalls = strace > 0 ? countSyscalls(child.pid(), load, strace) : Syscalls.NONE;
                return new Result(requests / seconds, latency.getValueAtPercentile(50),
                        latency.getValueAtPercentile(99), cpuMicros / requests, switches / requests,
                        syscalls.perRequest(),
                        readiness > 0 ? wakeups / readiness : Double.NaN, syscalls.busiest());
            }
        } finally {
            commands.println("quit");
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    /** Returns the CPU time (user and system) the server process has used so far. */
    private static long cpuNanos(Process child) {
        return child.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /**
     * Returns the context switches (voluntary and not) of every thread of the process so far, from
     * {@code /proc/PID/task/*}{@code /status}; 0 where that is not there. Threads that ended are not
     * counted, which does not matter for a server whose threads live as long as the run.
     */
    private static long contextSwitches(long pid) {
        long sum = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.contains("ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException threadEnded) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException noProc) {
            return 0;
        }
        return sum;
    }

    /** What strace counted: calls per request answered, and the busiest calls per request. */
    record Syscalls(double perRequest, String busiest) {
        static final Syscalls NONE = new Syscalls(Double.NaN, "");
    }

    private static Process startServer(String server, Protocol protocol) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        String kind = server;
        if (server.startsWith("weft-")) {
            String[] parts = server.split("-");
            kind = "weft";
            command.add("-Dweft.selector.backend=" + parts[1]);
            for (int i = 2; i < parts.length; i++) {
                if (parts[i].endsWith("loops")) {
                    String loops = parts[i].substring(0, parts[i].length() - "loops".length());
                    command.add("-Dweft.selector.pollers=" + loops);
                } else {
                    command.add("-Dweft.selector.thread=" + parts[i]);
                }
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ServerMain.class.getName());
        command.add(kind);
        command.add(protocol.name().toLowerCase(Locale.ROOT));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String expect(BufferedReader out, String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the server JVM ended before printing " + prefix);
    }

    private static Map<String, Double> report(PrintWriter commands, BufferedReader out) throws IOException {
        commands.println("report");
        Map<String, Double> values = new HashMap<>();
        for (String pair : expect(out, "report").substring("report".length()).trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    /** Attaches strace to every thread of the server for {@code seconds}; returns calls per request answered. */
    private static Syscalls countSyscalls(long pid, LoadGenerator load, int seconds) throws Exception {
        Path summary = Files.createTempFile("strace", ".txt");
        try {
            // Requests are counted over the whole time strace may be attached, from before it starts to
            // after it has detached, so no call is counted without its request (counting only from
            // half a second after the start inflated every ratio by up to a quarter).
            long done = load.completed();
            Process strace = new ProcessBuilder("strace", "-c", "-f", "-q", "-o", summary.toString(), "-p",
                    Long.toString(pid)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            TimeUnit.SECONDS.sleep(seconds);
            strace.destroy();                              // SIGTERM: strace detaches and writes the summary
            strace.waitFor(30, TimeUnit.SECONDS);
            long requests = load.completed() - done;
            long calls = 0;
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(summary)) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length >= 5 && Character.isDigit(cols[0].charAt(0))) {
                    String name = cols[cols.length - 1];
                    long n = Long.parseLong(cols[3]);
                    if (name.equals("total")) {
                        calls = n;
                    } else {
                        rows.add(new String[] {name, Long.toString(n)});
                    }
                }
            }
            rows.sort((a, b) -> Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1])));
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(5, rows.size()); i++) {
                top.append(String.format(Locale.ROOT, "%s %.2f ", rows.get(i)[0],
                        requests == 0 ? 0 : Long.parseLong(rows.get(i)[1]) / (double) requests));
            }
            return new Syscalls(requests == 0 ? Double.NaN : calls / (double) requests, top.toString().trim());
        } finally {
            Files.deleteIfExists(summary);
        }
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    private static String orDash(double v, String format) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
