package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "{0} backend")
@ValueSource(strings = {"nio", "epoll"})
class TcpEchoTest {
    private static final int CONNECTIONS = 1_000;
    private static final int MESSAGES = 100;
    private static final int MESSAGE_SIZE = 64;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Parameter
    String backend;
    private Weft weft;
    private TcpServer server;
    private Collector<SocketAdapter> connections;
    private Collector<Terminated> disconnections;

    @BeforeEach
    void startEchoServer() throws IOException {
        System.setProperty("weft.selector.backend", backend);
        weft = Weft.start();
        connections = weft.spawn(new Collector<>(SocketAdapter.class));
        disconnections = weft.spawn(new Collector<>(Terminated.class));
        server = new TcpServer(0, adapter -> {
            adapter.outbox.linkTo(adapter.inbox);
            adapter.signal.linkTo(adapter.control);
        });
        server.connections.linkTo(connections.inbox);
        server.disconnections.linkTo(disconnections.inbox);
        weft.spawn(server);
    }

    @AfterEach
    void stop() {
        System.clearProperty("weft.selector.backend");
        weft.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static byte[] message(int connection, int index) {
        byte[] m = new byte[MESSAGE_SIZE];
        for (int i = 0; i < MESSAGE_SIZE; i++) {
            m[i] = (byte) (connection * 31 + index * 7 + i);
        }
        return m;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void aThousandConnectionsEachEchoAHundredMessagesByteForByte() throws Exception {
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                clients.add(threads.submit(() -> {
                    try (Socket socket = connect()) {
                        OutputStream out = socket.getOutputStream();
                        InputStream in = socket.getInputStream();
                        for (int i = 0; i < MESSAGES; i++) {
                            byte[] sent = message(connection, i);
                            out.write(sent);
                            byte[] echoed = in.readNBytes(MESSAGE_SIZE);
                            if (!Arrays.equals(echoed, sent)) {
                                throw new AssertionError("connection " + connection + " message " + i + " came back as "
                                        + Arrays.toString(echoed));
                            }
                        }
                        return MESSAGES;
                    }
                }));
            }
            int echoed = 0;
            for (Future<Integer> client : clients) {
                echoed += client.get(60, TimeUnit.SECONDS);
            }
            assertThat(echoed).isEqualTo(CONNECTIONS * MESSAGES);
        }

        for (int c = 0; c < CONNECTIONS; c++) {
            assertThat(disconnections.next(WAIT).state()).as("how a connection ended")
                    .isEqualTo(ComponentState.FINISHED);
        }
        assertThat(server.connectionCount()).isZero();
        assertThat(connections.received()).isEqualTo(CONNECTIONS);
    }

    @Test
    void aPeerThatHalfClosesGetsEverythingBackThenEndOfStream() throws Exception {
        byte[] sent = new byte[200_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 13);
        }
        try (Socket socket = connect()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] echoed = socket.getInputStream().readAllBytes();   // returns at the server's end of stream
            writer.join();

            assertThat(echoed).isEqualTo(sent);
        }
        Terminated end = disconnections.next(WAIT);
        assertThat(end.state()).isEqualTo(ComponentState.FINISHED);
        assertThat(((SocketAdapter) end.component()).bytesWritten()).isEqualTo(sent.length);
    }

    @Test
    void aPeerResetEndsTheAdapterWithTheResetAsItsCause() throws Exception {
        Socket socket = connect();
        socket.getOutputStream().write(message(0, 0));
        assertThat(socket.getInputStream().readNBytes(MESSAGE_SIZE)).isEqualTo(message(0, 0));

        socket.setSoLinger(true, 0);
        socket.close();                                      // RST instead of FIN

        Terminated end = disconnections.next(WAIT);
        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        assertThat(end.cause()).isInstanceOf(IOException.class);
        assertThat(server.state()).as("one reset does not take the server down").isEqualTo(ComponentState.RUNNING);
        try (Socket next = connect()) {
            next.getOutputStream().write(message(1, 1));
            assertThat(next.getInputStream().readNBytes(MESSAGE_SIZE)).isEqualTo(message(1, 1));
        }
    }

    @Test
    void aClientThatNeverReadsStopsTheAdapterReadingWithBoundedMemory() throws Exception {
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.port()))) {
            client.configureBlocking(false);
            SocketAdapter adapter = connections.next(WAIT);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            long lastRead = -1;
            int stableRounds = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            // Write until the client can write no more and the adapter's reads stop advancing.
            while (stableRounds < 20) {
                chunk.clear();
                int n = client.write(chunk);
                written += n;
                long read = adapter.bytesRead();
                stableRounds = n == 0 && read == lastRead ? stableRounds + 1 : 0;
                lastRead = read;
                assertThat(adapter.inbox.size()).as("the adapter's inbox").isLessThanOrEqualTo(adapter.inbox.capacity());
                assertThat(System.nanoTime()).as("the adapter stops reading in time").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(n == 0 ? 10 : 0));
            }

            long heldByAdapter = adapter.bytesRead() - adapter.bytesWritten();
            assertThat(heldByAdapter).as("bytes read but not yet written, held in the adapter")
                    .isLessThanOrEqualTo((adapter.inbox.capacity() + 2L) * 16 * 1024);
            assertThat(adapter.bytesRead()).as("the adapter stopped reading before the client stopped writing")
                    .isLessThan(written);

            // Once the client reads, everything it wrote comes back.
            client.configureBlocking(true);
            client.shutdownOutput();
            ByteBuffer back = ByteBuffer.allocate(64 * 1024);
            long echoed = 0;
            int n;
            while ((n = client.read(back)) >= 0) {
                echoed += n;
                back.clear();
            }
            assertThat(echoed).isEqualTo(written);
        }
    }

    @Test
    void aTcpClientConnectsWithoutBlockingAndTalksThroughItsBoxes() throws Exception {
        Collector<byte[]> replies = weft.spawn(new Collector<>(byte[].class));
        TcpClient client = new TcpClient(server.localAddress());
        client.outbox.linkTo(replies.inbox);
        weft.spawn(client);

        client.inbox.send("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        StringBuilder echoed = new StringBuilder();
        while (echoed.length() < 5) {
            echoed.append(new String(replies.next(WAIT), java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertThat(echoed).hasToString("hello");

        client.shutdown();
        assertThat(client.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        assertThat(disconnections.next(WAIT).component()).isInstanceOf(SocketAdapter.class);
    }

    @Test
    void aRefusedConnectFailsTheClientWithTheConnectError() throws Exception {
        InetSocketAddress nobody;
        try (java.nio.channels.ServerSocketChannel closed = java.nio.channels.ServerSocketChannel.open()) {
            closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            nobody = (InetSocketAddress) closed.getLocalAddress();
        }
        TcpClient client = weft.spawn(new TcpClient(nobody));

        Terminated end = client.join(WAIT);
        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        assertThat(end.cause()).isInstanceOf(java.net.ConnectException.class);
    }
}
