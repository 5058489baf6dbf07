package dev.weft.bench.kvs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An etcd server started on loopback with its own data directory (default durability: fsync on
 * every raft log write); the benchmarks reach it with jetcd, as the etcd backend does.
 */
final class Etcd implements AutoCloseable {
    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Etcd(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static Etcd start(Path dataDir, int clientPort) throws IOException, InterruptedException {
        int peerPort = clientPort + 1;
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Process p = new ProcessBuilder("etcd", "--name", "bench", "--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--log-level", "error")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())
                .start();
        Etcd etcd = new Etcd(p, client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!etcd.healthy()) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroyForcibly();
                throw new IOException("etcd did not become healthy on " + client);
            }
            Thread.sleep(100); // polling an external process's readiness; nothing to wait on instead
        }
        return etcd;
    }

    private boolean healthy() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Returns the client URL, {@code http://127.0.0.1:port}. */
    String endpoint() {
        return base;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
