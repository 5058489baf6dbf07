package dev.weft.bench.kvs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An etcd server started on loopback with its own data directory (default durability: fsync on
 * every raft log write), driven through its HTTP/JSON gateway.
 */
final class Etcd implements AutoCloseable {
    private static final Pattern VALUE = Pattern.compile("\"value\":\"([^\"]*)\"");

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

    /** Puts a key; returns once etcd acknowledged it (after its fsync). */
    void put(String key, byte[] value) throws IOException, InterruptedException {
        String body = "{\"key\":\"" + b64(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\"" + b64(value) + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("etcd put failed: " + r.statusCode() + " " + r.body());
        }
    }

    /**
     * Watches {@code key} through the gateway's streaming watch, passing each event's value (a
     * decimal string) to {@code onValue}; returns once the watch is established.
     */
    Thread watch(String key, LongConsumer onValue) throws IOException, InterruptedException {
        String body = "{\"create_request\":{\"key\":\"" + b64(key.getBytes(StandardCharsets.UTF_8)) + "\"}}";
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/watch"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
        java.util.Iterator<String> lines = r.body().iterator();
        if (!lines.hasNext() || !lines.next().contains("\"created\":true")) {
            throw new IOException("etcd watch was not created");
        }
        return Thread.ofVirtual().start(() -> {
            while (lines.hasNext()) {
                Matcher m = VALUE.matcher(lines.next());
                while (m.find()) {
                    onValue.accept(Long.parseLong(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8)));
                }
            }
        });
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
