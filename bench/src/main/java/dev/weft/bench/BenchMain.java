package dev.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs Weft's end-to-end benchmarks against its peers and prints a Markdown table per benchmark.
 *
 * <pre>
 *   run [--forks N] [--only ping-pong,fan-in,skynet,memory,count,threadring,chameneos,big]
 *                                                               every case, each fork a fresh JVM
 *   case BENCH PEER N WARMUPS RUNS                              one case in this JVM (used by run)
 *   jmh [JMH options]                                           the JMH benchmarks (PingPongJmh, FanInJmh)
 * </pre>
 */
public final class BenchMain {
    private static final List<String> FORK_JVM_ARGS = List.of("-Xms4g", "-Xmx4g");

    /** One benchmark: its peers (Weft first), its size, and how its raw result becomes a figure. */
    record Bench(String name, String unit, boolean higherIsBetter, long n, int warmups, int runs,
            Map<String, String> peers, Function<String, Trial> trials, Figure figure) {
    }

    interface Figure {
        double of(long n, long raw);
    }

    private static final Figure PER_SECOND = (n, nanos) -> n / (nanos / 1e9);
    private static final Figure MILLIS = (n, nanos) -> nanos / 1e6;
    private static final Figure BYTES = (n, bytes) -> bytes;

    static final Map<String, Bench> BENCHES = new LinkedHashMap<>();

    static {
        add(new Bench("ping-pong", "round trips/s", true, 1_000_000, 2, 3, peers(
                "weft", "Weft components",
                "actors", "Weft actors",
                "pekko", "Pekko typed actors",
                "park", "2 VTs, JCTools MPSC + park/unpark (floor)",
                "spin", "2 VTs, JCTools MPSC, spin " + ParkingMailbox.SPINS + " then park (floor)",
                "syncq", "2 VTs, SynchronousQueue"), PingPong::create, PER_SECOND));
        add(new Bench("fan-in", "messages/s", true, 10_000_000, 1, 3, peers(
                "weft", "Weft components, inbox capacity " + FanIn.CAPACITY,
                "pekko", "Pekko typed actor, VT senders, unbounded mailbox",
                "park", "VTs, JCTools MPSC(" + FanIn.CAPACITY + ") + park/unpark (floor)",
                "abq", "VTs, ArrayBlockingQueue(" + FanIn.CAPACITY + ")"), FanIn::create, PER_SECOND));
        add(new Bench("skynet", "ms", false, 1_000_000, 1, 3, peers(
                "weft", "Weft components (spawn children, sum via inbox)",
                "actors", "Weft actors (spawn children in onStart, sum in onMessage)",
                "pekko", "Pekko typed actors (spawnAnonymous, tell)",
                "vt", "plain VTs (start children, join)"), Skynet::create, MILLIS));
        add(new Bench("memory", "heap bytes per idle party", false, 1_000_000, 0, 1, peers(
                "weft", "Weft component parked in inbox.receive()",
                "actors", "Weft actor never messaged (no thread)",
                "pekko", "idle Pekko typed actor",
                "vt", "plain VT parked in LockSupport.park()"), IdleMemory::create, BYTES));
        add(savina("count", "1 producer, 1 counter, n increments", 1_000_000, Count::create));
        add(savina("threadring", ThreadRing.RING + " parties, n hops", 1_000_000, ThreadRing::create));
        add(savina("chameneos", Chameneos.CREATURES + " chameneos, n meetings", 200_000, Chameneos::create));
        add(savina("big", Big.PARTIES + " parties, n pings in all", 2_400_000, Big::create));
    }

    /** A Savina benchmark (shamsimam/savina): Weft components, Weft actors and Pekko typed. */
    private static Bench savina(String name, String shape, long n, Function<String, Trial> trials) {
        return new Bench(name, "ms", false, n, 2, 3, peers(
                "weft", "Weft components (" + shape + ")",
                "actors", "Weft actors",
                "pekko", "Pekko typed actors"), trials, MILLIS);
    }

    private BenchMain() {
    }

    private static void add(Bench b) {
        BENCHES.put(b.name(), b);
    }

    private static Map<String, String> peers(String... keysAndLabels) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndLabels.length; i += 2) {
            m.put(keysAndLabels[i], keysAndLabels[i + 1]);
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "run" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (mode) {
            case "run" -> runAll(rest);
            case "case" -> {
                runCase(rest);
                System.exit(0);
            }
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            default -> {
                System.err.println("usage: run [--forks N] [--only a,b] | case BENCH PEER N WARMUPS RUNS | jmh [...]");
                System.exit(2);
            }
        }
    }

    /** Runs one case in this JVM and prints one {@code RESULT raw} line per measured run. */
    private static void runCase(String[] a) throws Exception {
        Bench b = bench(a[0]);
        String peer = a[1];
        long n = Long.parseLong(a[2]);
        int warmups = Integer.parseInt(a[3]);
        int runs = Integer.parseInt(a[4]);
        Trial trial = b.trials().apply(peer);
        for (int i = 0; i < warmups; i++) {
            trial.run(n);
        }
        for (int i = 0; i < runs; i++) {
            System.out.println("RESULT " + trial.run(n));
            System.out.flush();
        }
        if (!b.name().equals("memory")) {
            trial.close();
        }
    }

    private static Bench bench(String name) {
        Bench b = BENCHES.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no benchmark " + name + "; have " + BENCHES.keySet());
        }
        return b;
    }

    private static void runAll(String[] a) throws Exception {
        int forks = 3;
        List<String> only = new ArrayList<>(BENCHES.keySet());
        for (int i = 0; i < a.length; i++) {
            switch (a[i]) {
                case "--forks" -> forks = Integer.parseInt(a[++i]);
                case "--only" -> only = List.of(a[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + a[i]);
            }
        }
        System.out.printf("JDK %s (%s), %d CPUs, forks of %s%n%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(), FORK_JVM_ARGS);
        for (String name : only) {
            report(bench(name), forks);
        }
    }

    /** Runs every peer of one benchmark, forks interleaved so that machine noise hits all alike. */
    private static void report(Bench b, int forks) throws Exception {
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        b.peers().keySet().forEach(p -> figures.put(p, new ArrayList<>()));
        for (int f = 0; f < forks; f++) {
            for (String peer : b.peers().keySet()) {
                for (long raw : fork(b, peer)) {
                    figures.get(peer).add(b.figure().of(b.n(), raw));
                }
            }
        }
        double weft = median(figures.get("weft"));
        System.out.printf("### %s: %s (%s is better), n = %,d, %d fresh JVMs x %d runs per peer%n%n", b.name(),
                b.unit(), b.higherIsBetter() ? "higher" : "lower", b.n(), forks, b.runs());
        System.out.println("| peer | median | min | max | Weft / peer |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (var e : figures.entrySet()) {
            List<Double> v = e.getValue();
            double med = median(v);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.2fx |%n", b.peers().get(e.getKey()), fmt(med),
                    fmt(v.stream().mapToDouble(d -> d).min().orElse(0)),
                    fmt(v.stream().mapToDouble(d -> d).max().orElse(0)), weft / med);
        }
        System.out.println();
        System.out.flush();
    }

    private static List<Long> fork(Bench b, String peer) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(FORK_JVM_ARGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "case", b.name(),
                peer, Long.toString(b.n()), Integer.toString(b.warmups()), Integer.toString(b.runs())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Long> results = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    results.add(Long.parseLong(line.substring(7).trim()));
                } else {
                    other.add(line);
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || results.size() != b.runs()) {
            p.destroyForcibly();
            throw new IllegalStateException(b.name() + "/" + peer + " failed:\n" + String.join("\n", other));
        }
        System.err.printf("  %s/%s: %s%n", b.name(), peer, results);
        return results;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static String fmt(double x) {
        return x >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.1f", x);
    }
}
