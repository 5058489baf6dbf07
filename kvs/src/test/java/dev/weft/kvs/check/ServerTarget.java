package dev.weft.kvs.check;

import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.Namespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Weft KVS server in a child JVM ({@link KvsServerMain}) as a {@link KvTarget}; its fault is
 * {@code kill -9} of that JVM ({@link ProcessHandle#destroyForcibly()}), and a restart starts a new
 * one on the same data directory (on a new port).
 *
 * <p>Each session holds one {@link KvsClient} and reads outcomes as {@link NamespaceSession} does.
 * A restarted server listens on a new port, so after a call fails with the connection gone the
 * session drops its client, and its next call waits until a server runs and connects to it afresh.
 * A call whose connection cannot even be made sent nothing, so it certainly did not apply.
 */
public final class ServerTarget implements KvTarget {
    /** How long a start may take. */
    static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path dataDir;
    private final FsyncMode fsync;
    private final Path log;
    private final Serving<InetSocketAddress> address = new Serving<>();
    private volatile Process process;

    private ServerTarget(Path dataDir, FsyncMode fsync, Path log) {
        this.dataDir = dataDir;
        this.fsync = fsync;
        this.log = log;
    }

    /** Starts a server on {@code dataDir}, its standard error appended to {@code log}. */
    public static ServerTarget start(Path dataDir, FsyncMode fsync, Path log) throws IOException {
        ServerTarget target = new ServerTarget(dataDir, fsync, log);
        target.restart();
        return target;
    }

    @Override
    public void restart() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                KvsServerMain.class.getName(), dataDir.toString(), fsync.name())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        // standard input stays open: the child ends when it closes, should this JVM die first
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofVirtual().name("kvs-server-stdout").start(() -> pump(p, port));
        int listening;
        try {
            listening = port.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            p.toHandle().destroyForcibly();
            throw new IOException("the KVS server did not start within " + STARTUP + "; see " + log, e);
        } catch (InterruptedException e) {
            p.toHandle().destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the KVS server", e);
        }
        process = p;
        address.up(new InetSocketAddress(InetAddress.getLoopbackAddress(), listening));
    }

    /** Reads the child's output: completes {@code port} on its "listening" line, then drains it. */
    private static void pump(Process p, CompletableFuture<Integer> port) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("listening ")) {
                    port.complete(Integer.parseInt(line.substring("listening ".length()).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IOException("the KVS server closed its output before it listened"));
    }

    /** Waits until the server serves (at most {@link Serving#PATIENCE}) and returns its address. */
    public InetSocketAddress address() throws InterruptedException, NotApplied {
        return address.await();
    }

    @Override
    public void crash() throws InterruptedException {
        address.down();
        Process p = process;
        process = null;
        if (p != null) {
            p.toHandle().destroyForcibly(); // SIGKILL
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the KVS server (pid " + p.pid() + ") did not die within 30 s of SIGKILL");
            }
        }
    }

    @Override
    public String fault() {
        return "kill -9 of the KVS server's JVM, then a new JVM on the same data";
    }

    @Override
    public void close() throws InterruptedException {
        crash();
    }

    @Override
    public Session open(int client) {
        return new NamespaceSession(new NamespaceSession.Source() {
            private KvsClient connection;

            @Override
            public Namespace namespace() throws InterruptedException, NotApplied {
                if (connection == null) {
                    InetSocketAddress at = address.await();
                    try {
                        connection = KvsClient.connect(at);
                    } catch (IOException e) {
                        throw new NotApplied("could not connect to " + at + ", nothing was sent", e);
                    }
                }
                return connection.primary();
            }

            /** Drops a connection that is gone: the next server listens elsewhere. */
            @Override
            public void failed(KvsException e) {
                if (connection != null && !connection.isOpen()) {
                    connection.close();
                    connection = null;
                }
            }

            @Override
            public void close() {
                if (connection != null) {
                    connection.close();
                }
            }
        });
    }
}
