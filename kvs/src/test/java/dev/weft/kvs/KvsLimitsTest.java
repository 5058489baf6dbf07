package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits that hold under abuse: connections that never authenticate are closed at the auth timeout,
 * and a client that sends without reading has its connection paused, never buffered without bound.
 */
class KvsLimitsTest {
    private static final int IDLE_CONNECTIONS = 2_000;
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(3);
    /** Generous: a connection costs its adapter, its protocol component and two parked virtual threads. */
    private static final long MAX_BYTES_PER_IDLE_CONNECTION = 64 * 1024;
    private static final long MAX_HEAP_LEFT_AFTER = 32L << 20;
    private static final int MAX_IN_FLIGHT = 8;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Weft weft;
    private Kvs kvs;

    @BeforeEach
    void start() {
        weft = Weft.start();
        kvs = Kvs.inMemory();
    }

    @AfterEach
    void stop() {
        weft.close();
        kvs.close();
    }

    @Test
    void twoThousandConnectionsThatNeverAuthenticateAreClosedAtTheAuthTimeoutWithBoundedMemory() throws Exception {
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withToken("s3cret")
                .withAuthTimeout(AUTH_TIMEOUT));
        try (KvsClient warmUp = KvsClient.connect(server.address(), "s3cret")) {
            warmUp.primary().version();        // the selector service and the server are up
        }
        await(() -> server.tcpServer().connectionCount() == 0, "the warm-up connection to end");
        int componentsBefore = weft.liveComponents();
        long heapBefore = usedHeapAfterGc();
        List<Socket> sockets = new ArrayList<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<byte[]>> heard = new ArrayList<>();
            for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                s.setSoTimeout((int) WAIT.toMillis());
                sockets.add(s);
                heard.add(readers.submit(() -> readToEndAndClose(s)));     // says nothing, reads until closed
            }
            await(() -> server.tcpServer().connectionCount() + countClosed(heard) >= IDLE_CONNECTIONS,
                    "every connection accepted");
            long perConnection = (usedHeapAfterGc() - heapBefore) / IDLE_CONNECTIONS;
            assertThat(perConnection).as("heap held per idle connection, in bytes (open: "
                    + server.tcpServer().connectionCount() + ")").isLessThan(MAX_BYTES_PER_IDLE_CONNECTION);

            for (Future<byte[]> f : heard) {
                List<Wire.In> frames = ProtectedModeTest.frames(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertThat(frames).as("what an idle connection hears before it is closed").hasSize(1);
                assertThat(Wire.error(frames.get(0))).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("no token within " + AUTH_TIMEOUT.toMillis() + " ms");
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        await(() -> server.tcpServer().connectionCount() == 0, "the server to close every connection");
        await(() -> weft.liveComponents() <= componentsBefore, "every connection's components to end");
        assertThat(weft.liveComponents()).as("live components").isEqualTo(componentsBefore);
        assertThat(usedHeapAfterGc() - heapBefore).as("heap still held once they are gone")
                .isLessThan(MAX_HEAP_LEFT_AFTER);
    }

    @Test
    void aClientThatPipelinesWithoutReadingHasItsConnectionPausedNotBuffered() throws Exception {
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
        Adapters adapters = watchConnections(server);
        kvs.primary().put("k", "a value to read again and again");
        try (SocketChannel client = SocketChannel.open(server.address())) {
            SocketAdapter adapter = adapters.next();
            client.configureBlocking(false);
            Pipeliner pipeliner = new Pipeliner(client, id -> new Wire.Out(Wire.GET, id).str(Kvs.PRIMARY)
                    .i64(KvsRequest.LATEST).str("k").frame());

            pipeliner.sendUntilTheServerStopsReading(adapter);

            assertThat(adapter.bytesRead()).as("the server stopped reading before the client stopped writing")
                    .isLessThan(pipeliner.bytesSent);
            assertThat(adapter.bytesRead() - pipeliner.frameBytes * (adapter.bytesWritten() / replyBytes()))
                    .as("request bytes read but not yet answered: a few inboxes of chunks, not everything sent")
                    .isLessThan(4L << 20);

            // Once the client reads, every request is answered, in order: nothing was lost.
            List<Wire.In> replies = pipeliner.finishAndReadAll();
            assertThat(replies).hasSize((int) pipeliner.requests);
            for (int i = 0; i < replies.size(); i++) {
                assertThat(replies.get(i).type).isEqualTo(Wire.R_VALUE);
                assertThat(replies.get(i).id).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void atMaxInFlightTheConnectionStopsReadingUntilItsRequestsComplete() throws Exception {
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxInFlight(MAX_IN_FLIGHT));
        Adapters adapters = watchConnections(server);
        try (SocketChannel client = SocketChannel.open(server.address())) {
            SocketAdapter adapter = adapters.next();
            client.configureBlocking(false);
            // The first MAX_IN_FLIGHT requests wait for version 1, which no one has committed yet.
            Pipeliner pipeliner = new Pipeliner(client, id -> id <= MAX_IN_FLIGHT
                    ? new Wire.Out(Wire.WAIT_VERSION, id).str(Kvs.PRIMARY).i64(1).frame()
                    : new Wire.Out(Wire.VERSION, id).str(Kvs.PRIMARY).frame());

            pipeliner.sendUntilTheServerStopsReading(adapter);

            assertThat(adapter.bytesWritten()).as("nothing answered while the waits hold every slot").isZero();
            assertThat(adapter.bytesRead()).as("the server stopped reading").isLessThan(pipeliner.bytesSent);

            kvs.primary().put("k", "v");          // version 1: the waits complete, the slots free
            List<Wire.In> replies = pipeliner.finishAndReadAll();
            assertThat(replies).hasSize((int) pipeliner.requests);
            assertThat(replies).allSatisfy(r -> assertThat(r.type).isEqualTo(Wire.R_VERSION));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Sends request frames on a non-blocking socket and never reads until told to. */
    private static final class Pipeliner {
        final SocketChannel client;
        final java.util.function.LongFunction<byte[]> request;
        final int frameBytes;
        long requests;
        long bytesSent;
        ByteBuffer partial;

        Pipeliner(SocketChannel client, java.util.function.LongFunction<byte[]> request) {
            this.client = client;
            this.request = request;
            this.frameBytes = request.apply(MAX_IN_FLIGHT + 1).length;
        }

        /** Writes until the socket takes no more and the server's reads have stood still for a while. */
        void sendUntilTheServerStopsReading(SocketAdapter adapter) throws IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long lastRead = -1;
            int still = 0;
            while (still < 50) {
                boolean full = !writeSome();
                long read = adapter.bytesRead();
                still = full && read == lastRead ? still + 1 : 0;
                lastRead = read;
                assertThat(System.nanoTime()).as("the server stops reading in time").isLessThan(deadline);
                if (full) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        }

        /** Writes frames until the socket refuses; returns false if it refused. */
        private boolean writeSome() throws IOException {
            for (int i = 0; i < 256; i++) {
                if (partial == null) {
                    partial = ByteBuffer.wrap(request.apply(requests + 1));
                }
                bytesSent += client.write(partial);
                if (partial.hasRemaining()) {
                    return false;
                }
                partial = null;
                requests++;
            }
            return true;
        }

        /** Finishes the frame under way, half-closes, and reads every reply until the server closes. */
        List<Wire.In> finishAndReadAll() throws Exception {
            try (ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor()) {
                client.configureBlocking(true);
                Future<byte[]> all = reader.submit(() -> {
                    ByteBuffer in = ByteBuffer.allocate(64 << 20);
                    while (client.read(in) >= 0) {
                        assertThat(in.hasRemaining()).as("replies fit the test's buffer").isTrue();
                    }
                    return java.util.Arrays.copyOf(in.array(), in.position());
                });
                if (partial != null) {
                    while (partial.hasRemaining()) {
                        bytesSent += client.write(partial);
                    }
                    requests++;
                }
                client.shutdownOutput();
                return ProtectedModeTest.frames(all.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        }
    }

    /** The size of a GET reply for the test's value: header, type, id, versions, value. */
    private static long replyBytes() {
        return Wire.reply(Wire.GET, 1, new KvsReply.Value(new Entry(Kvs.PRIMARY, "k", 1, 1, false,
                "a value to read again and again".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).length;
    }

    /** Hands the test each adapter the server makes. */
    private static final class Adapters extends Component {
        final Inbox<SocketAdapter> inbox = unboundedInbox("adapters", SocketAdapter.class);
        private final BlockingQueue<SocketAdapter> seen = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            while (select(inbox, control) == inbox) {
                seen.put(inbox.poll());
            }
        }

        SocketAdapter next() throws InterruptedException {
            SocketAdapter a = seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a).as("a connection within " + WAIT).isNotNull();
            return a;
        }
    }

    private Adapters watchConnections(KvsServer server) {
        Adapters adapters = weft.spawn(new Adapters());
        server.tcpServer().connections.linkTo(adapters.inbox);
        return adapters;
    }

    private static byte[] readToEndAndClose(Socket s) throws IOException {
        try (s) {
            return s.getInputStream().readAllBytes();
        }
    }

    private static int countClosed(List<Future<byte[]>> futures) {
        int n = 0;
        for (Future<byte[]> f : futures) {
            n += f.isDone() ? 1 : 0;
        }
        return n;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
