package dev.weft.testkit.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Where the etcd binaries are, what to do when they are missing, and the small shared chores. */
final class Etcd {
    /** The system property naming the etcd binary (default {@value #DEFAULT_BINARY}, then the PATH). */
    static final String BINARY_PROPERTY = "weft.etcd";
    static final String DEFAULT_BINARY = "/usr/bin/etcd";
    static final String LOOPBACK = "127.0.0.1";
    private static final long ETCDCTL_TIMEOUT_SECONDS = 30;
    /** Every etcd this JVM started and has not seen end: killed when the JVM exits (a test that never closed one). */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "etcd-reaper"));
    }

    private Etcd() {
    }

    /** Kills {@code p} when this JVM exits, unless it has ended by then. */
    static void reap(Process p) {
        RUNNING.add(p);
        p.onExit().thenRun(() -> RUNNING.remove(p));
    }

    /**
     * Returns the etcd binary, or ends the calling test: it fails when the environment variable
     * {@code CI} is {@code true} (a CI run must never skip these tests silently), and is skipped
     * through a JUnit assumption otherwise.
     */
    static Path binary() {
        return require(locate(System.getProperty(BINARY_PROPERTY), "etcd"), "true".equalsIgnoreCase(System.getenv("CI")));
    }

    /** Returns {@code etcdctl} beside the etcd binary, or on the PATH. */
    static Path etcdctl() {
        Path sibling = binary().resolveSibling("etcdctl");
        if (Files.isExecutable(sibling)) {
            return sibling;
        }
        return require(locate(null, "etcdctl"), "true".equalsIgnoreCase(System.getenv("CI")));
    }

    static Path require(Path found, boolean ci) {
        if (found != null && Files.isExecutable(found)) {
            return found;
        }
        String how = "etcd 3.4+ is needed at " + DEFAULT_BINARY + " (or -D" + BINARY_PROPERTY
                + "=PATH, or on the PATH): install the Debian/Ubuntu package with 'sudo apt-get install etcd-server'";
        if (ci) {
            throw new AssertionError("CI=true and the etcd binary is missing; " + how);
        }
        Assumptions.abort("skipped: " + how);
        throw new AssertionError("unreachable: Assumptions.abort returned");
    }

    /** Returns the named binary: {@code configured} if set, else /usr/bin/NAME, else the first on the PATH. */
    static Path locate(String configured, String name) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path usual = Path.of("/usr/bin", name);
        if (Files.isExecutable(usual)) {
            return usual;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /**
     * Returns {@code n} distinct ports that were free a moment ago. Another process may take one
     * before etcd binds it; {@link EtcdProcess} and {@link EtcdCluster} then start again on new ones.
     */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>(n);
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * Runs {@code etcdctl --endpoints=ENDPOINTS ARGS} (API v3) and returns its standard output,
     * trimmed.
     *
     * @throws IOException with etcdctl's standard error if it exits with another code than 0 or
     *     runs for more than 30 s
     */
    static String etcdctl(String endpoints, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(etcdctl().toString());
        command.add("--endpoints=" + endpoints);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(ETCDCTL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("etcdctl " + String.join(" ", args) + " ran for more than "
                        + ETCDCTL_TIMEOUT_SECONDS + " s against " + endpoints);
            }
            if (process.exitValue() != 0) {
                throw new IOException("etcdctl " + String.join(" ", args) + " against " + endpoints + " exited with "
                        + process.exitValue() + ": " + err.get().trim());
            }
            return out.get().trim();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running etcdctl", e);
        } catch (ExecutionException e) {
            throw new IOException("reading etcdctl's output failed", e.getCause());
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    /** Deletes {@code dir} and everything in it; a missing directory is fine. */
    static void deleteRecursively(Path dir) throws IOException {
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
