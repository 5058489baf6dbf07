package dev.weft.testkit.etcd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One etcd server, a child process on 127.0.0.1 with free ports and its own data directory, for
 * tests that need a real etcd.
 *
 * <pre>{@code
 * try (EtcdProcess etcd = EtcdProcess.start()) {
 *     etcd.etcdctl("put", "greeting", "hello");
 *     etcd.kill();                      // kill -9
 *     etcd.restart();                   // same data directory, same ports
 *     assertThat(etcd.etcdctl("get", "greeting", "--print-value-only")).isEqualTo("hello");
 * }
 * }</pre>
 *
 * <p>The binary is Debian's {@code /usr/bin/etcd} (package {@code etcd-server}; another path with
 * {@code -Dweft.etcd=PATH}, else the first {@code etcd} on the PATH). When it is missing,
 * {@link #start()} skips the test through a JUnit assumption that says how to install it, except
 * with the environment variable {@code CI=true}, where it fails the test instead. etcd's log goes to
 * {@link #logFile()}; startup failures quote its end.
 *
 * <p>{@link #start()} waits until the server says it is ready to serve and {@code /health} answers
 * {@code true}. {@link #stop()} sends SIGTERM, {@link #kill()} SIGKILL, and {@link #restart()}
 * starts it again on the same data directory and ports. {@link #close()} kills it and deletes the
 * directory it made. Members of an {@link EtcdCluster} are instances of this class too.
 */
public final class EtcdProcess implements AutoCloseable {
    /** How long {@link #start()} and {@link #restart()} wait for the server to become healthy. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** What etcd 3.4 logs once it serves clients: with the zap logger, and with the older capnslog. */
    private static final List<String> READY = List.of("serving client traffic", "ready to serve client requests");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"?(\\d+)");
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"?(\\d+)");

    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final String initialCluster;
    private final String clusterToken;
    private final Path ownedDirectory;
    private volatile Process process;
    private volatile CompletableFuture<Void> ready;
    private volatile Thread logPump;

    EtcdProcess(String name, Path baseDir, int clientPort, int peerPort, String initialCluster, String clusterToken,
            Path ownedDirectory) {
        this.name = name;
        this.dataDir = baseDir.resolve(name + ".etcd");
        this.logFile = baseDir.resolve(name + ".log");
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.initialCluster = initialCluster;
        this.clusterToken = clusterToken;
        this.ownedDirectory = ownedDirectory;
    }

    /**
     * Starts a single-member etcd in a new temporary directory and waits until it is healthy.
     *
     * @throws IOException if it cannot start (the message quotes the end of etcd's log)
     */
    public static EtcdProcess start() throws IOException {
        Etcd.binary();
        Path base = Files.createTempDirectory("weft-etcd-");
        return EtcdCluster.startMembers(base, List.of("etcd"), base).get(0);
    }

    static String peerUrl(int port) {
        return "http://" + Etcd.LOOPBACK + ":" + port;
    }

    /** Returns the member's name ({@code etcd} alone, {@code m0}, {@code m1}, … in a cluster). */
    public String name() {
        return name;
    }

    /** Returns the client URL, e.g. {@code http://127.0.0.1:40123}: the endpoint for clients. */
    public String endpoint() {
        return "http://" + Etcd.LOOPBACK + ":" + clientPort;
    }

    /** Returns the data directory, which outlives {@link #kill()} and {@link #stop()}. */
    public Path dataDir() {
        return dataDir;
    }

    /** Returns the file etcd logs to; each restart appends to it. */
    public Path logFile() {
        return logFile;
    }

    /** Returns whether the process is running. */
    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Returns the operating-system process id of the running process (or of the last one). */
    public long pid() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("etcd member " + name + " was never started");
        }
        return p.pid();
    }

    /** Returns whether {@code GET /health} answers {@code "health":"true"} right now. */
    public boolean isHealthy() {
        if (!isAlive()) {
            return false;
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Returns whether this member is the cluster's leader right now (a single member leads itself
     * once healthy).
     *
     * @throws IOException if the member does not answer
     */
    public boolean isLeader() throws IOException {
        String status = post("/v3/maintenance/status", "{}");
        String member = group(MEMBER_ID.matcher(status));
        return member != null && member.equals(group(LEADER.matcher(status)));
    }

    /**
     * Waits until the server has said it is ready to serve and {@code /health} answers true.
     *
     * @throws IOException if the process ends first or {@code timeout} passes (with the end of its log)
     */
    public void awaitHealthy(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            while (!isHealthy()) {
                if (!isAlive()) {
                    throw failedToStart("exited with " + process.exitValue() + " before it was healthy");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw failedToStart("was not healthy within " + timeout);
                }
                Thread.sleep(50); // polling an external process: it sends no event when it becomes healthy
            }
        } catch (TimeoutException e) {
            throw failedToStart("did not become ready within " + timeout);
        } catch (ExecutionException e) {
            throw failedToStart("exited with " + process.exitValue() + " before it was ready");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for etcd member " + name, e);
        }
    }

    /**
     * Sends SIGTERM and waits up to 30 s for the process to end (then kills it).
     */
    public void stop() {
        end(false);
    }

    /** Kills the process with SIGKILL ({@code kill -9}) and waits for it to end. */
    public void kill() {
        end(true);
    }

    /**
     * Starts the stopped or killed member again on the same data directory and ports, and waits until
     * it is healthy. A cluster member becomes healthy once it has a leader, so a majority must run.
     *
     * @throws IllegalStateException if it is still running
     * @throws IOException if it cannot start
     */
    public void restart() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("etcd member " + name + " is still running: kill() or stop() it before restart()");
        }
        launch();
        awaitHealthy(STARTUP_TIMEOUT);
    }

    /**
     * Runs {@code etcdctl} (API v3) against this member and returns its standard output, trimmed:
     * {@code etcdctl("put", "k", "v")} returns {@code "OK"}.
     *
     * @throws IOException with etcdctl's error output if it fails
     */
    public String etcdctl(String... args) throws IOException {
        return Etcd.etcdctl(endpoint(), args);
    }

    /** Kills the process if it runs and deletes the directory {@link #start()} made. */
    @Override
    public void close() throws IOException {
        kill();
        if (ownedDirectory != null) {
            Etcd.deleteRecursively(ownedDirectory);
        }
    }

    // ---------------------------------------------------------------- process

    void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(Etcd.binary().toString(),
                "--name", name,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(),
                "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peerUrl(peerPort),
                "--initial-advertise-peer-urls", peerUrl(peerPort),
                "--initial-cluster", initialCluster,
                "--initial-cluster-token", clusterToken,
                "--initial-cluster-state", "new",
                "--logger", "zap",
                "--log-outputs", "stderr"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
        Process p = builder.start();
        Etcd.reap(p);
        p.getOutputStream().close();
        CompletableFuture<Void> started = new CompletableFuture<>();
        process = p;
        ready = started;
        logPump = Thread.ofVirtual().name("etcd-log-" + name).start(() -> pumpLog(p, started));
    }

    /** Copies the process's output to the log file and completes {@code started} on the ready line. */
    private void pumpLog(Process p, CompletableFuture<Void> started) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush(); // so that a failure message can quote the log's end at once
                if (!started.isDone() && READY.stream().anyMatch(line::contains)) {
                    started.complete(null);
                }
            }
        } catch (IOException e) {
            started.completeExceptionally(new UncheckedIOException(e));
            return;
        }
        started.completeExceptionally(new IOException("etcd member " + name + " exited"));
    }

    private void end(boolean forcibly) {
        Process p = process;
        if (p == null) {
            return;
        }
        try {
            if (p.isAlive()) {
                if (forcibly) {
                    p.toHandle().destroyForcibly(); // SIGKILL; leaves the output readable to its end
                } else {
                    p.toHandle().destroy();         // SIGTERM
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.toHandle().destroyForcibly();
                    }
                }
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("etcd member " + name + " (pid " + p.pid() + ") did not end within 30 s of SIGKILL");
            }
            Thread pump = logPump;
            if (pump != null) {
                pump.join(Duration.ofSeconds(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private IOException failedToStart(String what) {
        String tail = logTail();
        String message = "etcd member " + name + " at " + endpoint() + " " + what + "; the end of " + logFile + ":\n" + tail;
        return tail.contains("address already in use") ? new PortTakenException(message) : new IOException(message);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String post(String path, String body) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint() + path))
                            .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("etcd member " + name + " answered " + r.statusCode() + " to " + path + ": " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking etcd member " + name, e);
        }
    }

    private static String group(Matcher m) {
        return m.find() ? m.group(1) : null;
    }

    /** A port chosen as free was taken before etcd bound it; start again on other ports. */
    static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "EtcdProcess[" + name + " " + endpoint() + (isAlive() ? " pid " + pid() : " not running") + "]";
    }
}
