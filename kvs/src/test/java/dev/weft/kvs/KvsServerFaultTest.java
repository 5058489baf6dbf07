package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input over the network: fuzzed, truncated and oversized frames, wrong tokens and a watcher
 * that stops reading. None of it may take the server down or disturb another connection.
 */
class KvsServerFaultTest {
    private static final int MAX_FRAME = 4096;
    private static final int FUZZ_CASES = 3000;
    private static final int FUZZERS = 4;

    private Weft weft;
    private Kvs kvs;
    private KvsServer server;

    @BeforeEach
    void start() throws Exception {
        weft = Weft.start();
        kvs = Kvs.inMemory();
        server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxFrameBytes(MAX_FRAME)
                .withWatchBuffer(8));
    }

    @AfterEach
    void stop() {
        weft.close();
        kvs.close();
    }

    /** One frame the server sent. */
    record Reply(byte type, long id, int errorCode) {
    }

    /**
     * Sends {@code bytes} on a fresh connection, half-closes, and reads everything the server sends
     * until it closes its side; fails if it does not within 10 s or sends a malformed frame.
     */
    private List<Reply> exchange(byte[] bytes, String what) throws IOException {
        try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes);
            socket.shutdownOutput();
            return parse(readToEnd(socket.getInputStream()), what);
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);              // SocketTimeoutException if the server never closes
        return all.toByteArray();
    }

    private static List<Reply> parse(byte[] stream, String what) {
        List<Reply> replies = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(stream);
        while (buf.hasRemaining()) {
            assertThat(buf.remaining()).as("%s: a whole frame header", what).isGreaterThanOrEqualTo(Wire.HEADER);
            int length = buf.getInt();
            assertThat(length).as("%s: frame length", what).isBetween(Wire.MIN_BODY, buf.remaining());
            byte[] body = new byte[length];
            buf.get(body);
            Wire.In in = new Wire.In(body);
            assertThat(in.type).as("%s: a reply type", what).isBetween(Wire.R_VALUE, Wire.R_EVENT);
            replies.add(new Reply(in.type, in.id, in.type == Wire.R_ERROR ? in.u8() : 0));
        }
        return replies;
    }

    private static void assertFault(List<Reply> replies, byte code, String what) {
        assertThat(replies).as("%s: ends with an error frame", what).isNotEmpty();
        assertThat(replies.get(replies.size() - 1)).as(what).isEqualTo(new Reply(Wire.R_ERROR, 0, code));
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(Wire.HEADER + body.length).putInt(body.length).put(body).array();
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** A healthy client doing put/get round trips on its own thread until stopped. */
    private static final class Healthy implements AutoCloseable {
        final AtomicLong roundTrips = new AtomicLong();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Healthy(KvsClient client) {
            thread = Thread.ofVirtual().start(() -> {
                Namespace ns = client.primary();
                try {
                    for (long i = 0; running.get(); i++) {
                        long v = ns.put("healthy", Long.toString(i));
                        assertThat(ns.at(v).getString("healthy")).isEqualTo(Long.toString(i));
                        roundTrips.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            assertThat(thread.join(java.time.Duration.ofSeconds(30))).isTrue();
        }
    }

    @Test
    void fuzzedFramesNeverCrashTheServerOrDisturbAnotherConnection() throws Exception {
        try (KvsClient healthyClient = KvsClient.connect(server.address())) {
            Healthy healthy = new Healthy(healthyClient);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> fuzzers = new ArrayList<>();
            for (int f = 0; f < FUZZERS; f++) {
                int first = f;
                fuzzers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int c = first; c < FUZZ_CASES; c += FUZZERS) {
                            fuzzCase(c);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            long lastSeen = 0;
            for (Thread fuzzer : fuzzers) {
                while (!fuzzer.join(java.time.Duration.ofMillis(200))) {
                    // Round trips keep completing while the fuzzers run.
                    long now = healthyClient.primary().version();
                    assertThat(now).isGreaterThanOrEqualTo(lastSeen);
                    lastSeen = now;
                }
            }
            healthy.close();
            assertThat(failures).isEmpty();
            assertThat(healthy.failures).isEmpty();
            assertThat(healthy.roundTrips.get()).isPositive();
            assertThat(healthyClient.isOpen()).isTrue();
        }
        try (KvsClient afterwards = KvsClient.connect(server.address())) {
            assertThat(afterwards.primary().put("after", "fuzz")).isPositive();
            assertThat(afterwards.primary().getString("after")).isEqualTo("fuzz");
            awaitConnections(1);
        }
    }

    private void fuzzCase(int c) throws IOException {
        Random r = new Random(c);
        String what = "fuzz case " + c + " (kind " + c % 6 + ")";
        switch (c % 6) {
            case 0 -> exchange(random(r, r.nextInt(64)), what);
            case 1 -> {
                int length = r.nextInt(3 * MAX_FRAME);
                byte[] sent = ByteBuffer.allocate(Wire.HEADER + Math.min(length, 200)).putInt(length)
                        .put(random(r, Math.min(length, 200))).array();
                List<Reply> replies = exchange(sent, what);
                if (length > MAX_FRAME) {
                    assertFault(replies, Wire.E_FRAME_TOO_LARGE, what);
                } else if (length < Wire.MIN_BODY) {
                    assertFault(replies, Wire.E_BAD_FRAME, what);
                }
            }
            case 2 -> {
                byte[] get = new Wire.Out(Wire.GET, 7).str(Kvs.PRIMARY).i64(KvsRequest.LATEST).str("healthy").frame();
                List<Reply> replies = exchange(concat(get, random(r, 1 + r.nextInt(100))), what);
                assertThat(replies).as(what).isNotEmpty();
                assertThat(replies.get(0)).as("%s: the valid request before the garbage is answered", what)
                        .isEqualTo(new Reply(Wire.R_VALUE, 7, 0));
            }
            case 3 -> {
                byte type = (byte) (Wire.WAIT_VERSION_FOR + 1 + r.nextInt(200));
                byte[] body = concat(new byte[] {type}, random(r, 8 + r.nextInt(100)));
                assertFault(exchange(frame(body), what), Wire.E_BAD_FRAME, what);
            }
            case 4 -> {
                // A string length that points past the end of the body.
                byte[] lying = new Wire.Out(Wire.LIST, 3).str(Kvs.PRIMARY).i64(KvsRequest.LATEST).i32(1 + r.nextInt(1 << 30))
                        .frame();
                assertFault(exchange(lying, what), Wire.E_BAD_FRAME, what);
            }
            case 5 -> {
                byte[] huge = ByteBuffer.allocate(8).putInt(0x80000000 | r.nextInt()).putInt(r.nextInt()).array();
                assertFault(exchange(huge, what), Wire.E_FRAME_TOO_LARGE, what);
            }
            default -> throw new AssertionError();
        }
    }

    private void awaitConnections(int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.tcpServer().connectionCount() != expected) {
            assertThat(System.nanoTime()).as("the server is down to %d connection(s)", expected).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void aFrameAtTheLimitIsServedAndOneByteOverClosesOnlyThatConnection() throws Exception {
        try (KvsClient healthy = KvsClient.connect(server.address())) {
            byte[] atLimit = new Wire.Out(Wire.VERSION, 1).str("x".repeat(MAX_FRAME - 9 - 4)).frame();
            assertThat(atLimit.length).isEqualTo(Wire.HEADER + MAX_FRAME);
            List<Reply> served = exchange(atLimit, "a frame at the limit");
            assertThat(served).containsExactly(new Reply(Wire.R_ERROR, 1, Wire.E_NO_NAMESPACE));

            byte[] over = concat(ByteBuffer.allocate(4).putInt(MAX_FRAME + 1).array(), new byte[MAX_FRAME + 1]);
            assertFault(exchange(over, "one byte over"), Wire.E_FRAME_TOO_LARGE, "one byte over");

            assertThatThrownBy(() -> healthy.primary().put("big", "v".repeat(MAX_FRAME)))
                    .as("the client's own oversized request closes its connection")
                    .isInstanceOf(KvsException.class).hasMessageContaining("over the limit");
            assertThat(healthy.isOpen()).isFalse();
        }
        try (KvsClient next = KvsClient.connect(server.address())) {
            assertThat(next.primary().put("small", "fine")).isEqualTo(1);
        }
    }

    @Test
    void theRightTokenIsAcceptedAndAWrongOrMissingOneIsRefused() throws Exception {
        KvsServer guarded = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withToken("s3cret"));
        try (KvsClient good = KvsClient.connect(guarded.address(), "s3cret")) {
            assertThat(good.primary().put("k", "v")).isEqualTo(1);

            assertThatThrownBy(() -> KvsClient.connect(guarded.address(), "s3creT"))
                    .isInstanceOf(KvsException.class).hasMessage("authentication failed: wrong token");
            try (KvsClient anonymous = KvsClient.connect(guarded.address())) {
                assertThatThrownBy(() -> anonymous.primary().get("k"))
                        .isInstanceOf(KvsException.class).hasMessageContaining("authentication failed");
            }
            byte[] wrong = new Wire.Out(Wire.AUTH, 1).bytes("guess".getBytes(StandardCharsets.UTF_8)).frame();
            byte[] then = new Wire.Out(Wire.GET, 2).str(Kvs.PRIMARY).i64(KvsRequest.LATEST).str("k").frame();
            try (Socket raw = new Socket(guarded.address().getAddress(), guarded.port())) {
                raw.setSoTimeout(10_000);
                raw.getOutputStream().write(concat(wrong, then));
                raw.shutdownOutput();
                assertThat(parse(readToEnd(raw.getInputStream()), "wrong token"))
                        .as("an error frame, then the connection closes; the GET is never answered")
                        .containsExactly(new Reply(Wire.R_ERROR, 0, Wire.E_AUTH));
            }

            assertThat(good.primary().getString("k")).as("the authenticated client is unaffected").isEqualTo("v");
        } finally {
            guarded.close();
        }
    }

    @Test
    void aWatcherThatStopsReadingGetsAnOverflowEventNotAGapAndTheServerCarriesOn() throws Exception {
        int commits = 5000;
        byte[] value = new byte[4096];
        try (KvsClient slow = KvsClient.connect(server.address()); KvsClient other = KvsClient.connect(server.address())) {
            BlockingQueue<WatchEvent> stalled = new ArrayBlockingQueue<>(1);
            Watch watch = slow.primary().watch("hot", WatchMode.VALUE, e -> {
                try {
                    stalled.put(e);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });

            Namespace ns = kvs.primary();
            for (int i = 0; i < commits; i++) {
                ByteBuffer.wrap(value).putInt(0, i);
                ns.commit(new Txn().put("hot", value));
            }
            assertThat(other.primary().getString("hot")).as("another connection is served meanwhile").isNotNull();

            long expected = watch.startVersion();
            WatchEvent event;
            int delivered = 0;
            while (!((event = stalled.poll(10, TimeUnit.SECONDS)) instanceof WatchEvent.Ended)) {
                assertThat(event).as("an event within 10 s").isInstanceOf(WatchEvent.Value.class);
                assertThat(event.version()).as("no gap before the end").isEqualTo(expected);
                expected++;
                delivered++;
            }
            WatchEvent.Ended end = (WatchEvent.Ended) event;
            assertThat(end.reason()).isEqualTo(WatchEvent.Reason.OVERFLOWED);
            assertThat(end.version()).as("the end names the last version delivered").isEqualTo(expected - 1);
            assertThat(delivered).as("the server stopped buffering long before the last commit").isLessThan(commits);
            assertThat(slow.primary().version()).as("the slow client's connection still works").isEqualTo(commits);
        }
    }
}
