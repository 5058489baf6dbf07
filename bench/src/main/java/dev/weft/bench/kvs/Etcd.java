package dev.weft.bench.kvs;

import dev.weft.actors.net.Tls;
import dev.weft.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An etcd server started on loopback with its own data directory (default durability: fsync on
 * every raft log write); the benchmarks reach it with jetcd, as the etcd backend does. Started with a
 * certificate, it serves its clients over TLS (etcd's own {@code --cert-file}/{@code --key-file}).
 */
final class Etcd implements AutoCloseable {
    private final Process process;
    private final String base;
    private final HttpClient http;

    private Etcd(Process process, String base, SelfSignedCertificate tls) throws IOException {
        this.process = process;
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(Tls.client().withTrust(Tls.Trust.pem(tls.certificatePem())).context());
        }
        this.http = b.build();
    }

    static Etcd start(Path dataDir, int clientPort) throws IOException, InterruptedException {
        return start(dataDir, clientPort, null);
    }

    /** Starts etcd serving its clients over TLS with {@code tls} (plain HTTP if null). */
    static Etcd start(Path dataDir, int clientPort, SelfSignedCertificate tls) throws IOException, InterruptedException {
        int peerPort = clientPort + 1;
        String client = (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of("etcd", "--name", "bench", "--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--log-level", "error"));
        if (tls != null) {
            command.addAll(List.of("--cert-file", tls.certificatePem().toString(),
                    "--key-file", tls.privateKeyPem().toString()));
        }
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())
                .start();
        Etcd etcd = new Etcd(p, client, tls);
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

    /** Returns the client URL, {@code http://127.0.0.1:port} (or {@code https://} with TLS). */
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
