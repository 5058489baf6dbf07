package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two thousand short connections open, echo and close, at most {@value #CHURNING_AT_ONCE} at a time,
 * while a few long ones stream megabytes through the same echo server. Every byte of every
 * connection is checked.
 */
@ParameterizedClass(name = "{0} backend")
@ValueSource(strings = {"nio", "epoll"})
class ConnectionChurnTest {
    /** {@code -Dweft.test.churnConnections=N} (the soak profile) changes the count. */
    private static final int SHORT_CONNECTIONS = Integer.getInteger("weft.test.churnConnections", 2_000);
    private static final int CHURNING_AT_ONCE = 200;
    private static final int SHORT_MESSAGE = 300;
    private static final int STREAMS = 8;
    private static final int STREAM_BYTES = 2 << 20;
    private static final long TIMEOUT_SECONDS = 120;

    @Parameter
    String backend;

    @Test
    void shortConnectionsComeAndGoWhileLongOnesStreamEveryByteIntact() throws Exception {
        System.setProperty("weft.selector.backend", backend);
        try (Weft weft = Weft.start(); ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            TcpServer server = weft.spawn(new TcpServer(0, adapter -> {
                adapter.outbox.linkTo(adapter.inbox);
                adapter.signal.linkTo(adapter.control);
            }));
            List<Future<Long>> streams = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                int seed = s;
                streams.add(threads.submit(() -> stream(server.port(), seed)));
            }
            Semaphore slots = new Semaphore(CHURNING_AT_ONCE);
            List<Future<Integer>> shorts = new ArrayList<>();
            for (int c = 0; c < SHORT_CONNECTIONS; c++) {
                int id = c;
                slots.acquire();
                shorts.add(threads.submit(() -> {
                    try {
                        return echoOnce(server.port(), id);
                    } finally {
                        slots.release();
                    }
                }));
            }

            long checked = 0;
            for (Future<Integer> f : shorts) {
                checked += f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            for (Future<Long> f : streams) {
                checked += f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            assertThat(checked).as("bytes echoed and checked")
                    .isEqualTo((long) SHORT_CONNECTIONS * SHORT_MESSAGE + (long) STREAMS * STREAM_BYTES);
        } finally {
            System.clearProperty("weft.selector.backend");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        return socket;
    }

    /** Opens a connection, sends one message, checks the echo, closes. */
    private static int echoOnce(int port, int id) throws IOException {
        byte[] sent = new byte[SHORT_MESSAGE];
        new SplittableRandom(id).nextBytes(sent);
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(sent);
            byte[] back = socket.getInputStream().readNBytes(SHORT_MESSAGE);
            if (!Arrays.equals(back, sent)) {
                throw new AssertionError("short connection " + id + " got back other bytes");
            }
        }
        return SHORT_MESSAGE;
    }

    /** Streams {@value #STREAM_BYTES} pseudo-random bytes one way while checking the echo the other way. */
    private static long stream(int port, int seed) throws Exception {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                byte[] chunk = new byte[8192];
                try {
                    for (int sent = 0; sent < STREAM_BYTES; sent += chunk.length) {
                        random.nextBytes(chunk);
                        out.write(chunk);
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            SplittableRandom expected = new SplittableRandom(seed);
            byte[] want = new byte[8192];
            byte[] got = new byte[8192];
            InputStream in = socket.getInputStream();
            long checked = 0;
            while (checked < STREAM_BYTES) {
                expected.nextBytes(want);
                int n = in.readNBytes(got, 0, got.length);
                if (n != got.length || !Arrays.equals(got, want)) {
                    throw new AssertionError("stream " + seed + " differs after byte " + checked);
                }
                checked += n;
            }
            assertThat(in.read()).as("end of stream after the echo").isEqualTo(-1);
            writer.join();
            return checked;
        }
    }
}
