package dev.weft.bench.actor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Handler-style Weft actors against Pekko typed actors: idle memory, ping-pong, fan-in and a ring.
 *
 * <p>Without arguments it runs every case for both peers, each in {@code forks} fresh JVMs
 * (default 3), and prints a Markdown table of medians and ratios. With {@code <case> <peer>} it runs
 * one case in this JVM and prints one number (what the parent reads).
 *
 * <pre>
 * java -cp ... dev.weft.bench.actor.HandlerActorBench [--forks N] [--only case,case]
 * java -cp ... dev.weft.bench.actor.HandlerActorBench ping-pong weft
 * </pre>
 */
public final class HandlerActorBench {
    private static final List<String> CASES = List.of("memory", "memory-after-one-message", "ping-pong",
            "fan-in", "ring");
    private static final List<String> PEERS = List.of("weft", "pekko");

    private HandlerActorBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && CASES.contains(args[0])) {
            System.out.println(runOne(args[0], args[1]));
            System.exit(0);
        }
        int forks = 3;
        List<String> only = CASES;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf("| case | unit | Weft Actor (median) | Pekko typed (median) | Weft / Pekko |%n");
        System.out.printf("| --- | --- | --- | --- | --- |%n");
        for (String name : only) {
            double[] medians = new double[PEERS.size()];
            for (int p = 0; p < PEERS.size(); p++) {
                double[] results = new double[forks];
                for (int f = 0; f < forks; f++) {
                    results[f] = fork(name, PEERS.get(p));
                }
                medians[p] = median(results);
                System.err.printf("%s %s: %s%n", name, PEERS.get(p), Arrays.toString(results));
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f |%n", name, unit(name), medians[0],
                    medians[1], medians[0] / medians[1]);
        }
    }

    private static String unit(String name) {
        return name.startsWith("memory") ? "bytes per idle actor (lower is better)"
                : name.equals("ping-pong") ? "round trips/s" : "messages/s";
    }

    private static double runOne(String name, String peer) throws Exception {
        boolean weft = switch (peer) {
            case "weft" -> true;
            case "pekko" -> false;
            default -> throw new IllegalArgumentException("no peer " + peer);
        };
        return switch (name) {
            case "memory" -> weft ? IdleMemory.weft(false) : IdleMemory.pekko(false);
            case "memory-after-one-message" -> weft ? IdleMemory.weft(true) : IdleMemory.pekko(true);
            case "ping-pong" -> Throughput.measure(weft ? WeftCases::pingPong : PekkoCases::pingPong);
            case "fan-in" -> Throughput.measure(weft ? WeftCases::fanIn : PekkoCases::fanIn);
            case "ring" -> Throughput.measure(weft ? WeftCases::ring : PekkoCases::ring);
            default -> throw new IllegalArgumentException("no case " + name);
        };
    }

    private static double fork(String name, String peer) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), HandlerActorBench.class.getName(), name, peer));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                last = line;
            }
        }
        if (process.waitFor() != 0 || last == null) {
            throw new IllegalStateException(name + " " + peer + " failed (exit " + process.exitValue() + ")");
        }
        return Double.parseDouble(last);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
