package dev.weft.actors.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.flow.Pipeline;
import dev.weft.actors.flow.Stage;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Framing end to end: real sockets, a {@link TcpServer}, its {@link SocketAdapter}s and framing stages. */
@ParameterizedClass(name = "{0} backend")
@ValueSource(strings = {"nio", "epoll"})
class FramingTcpTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MAX_LINE = 100;
    private static final int FRAMES = 40;
    private static final int MAX_FRAME = 100_000;

    @Parameter
    String backend;
    private Weft weft;

    @BeforeEach
    void start() {
        System.setProperty("weft.selector.backend", backend);
        weft = Weft.start();
    }

    @AfterEach
    void stop() {
        System.clearProperty("weft.selector.backend");
        weft.close();
    }

    /** A server whose connections' lines all go to {@code lines}; each decoder is kept in {@code decoders}. */
    private TcpServer lineServer(Collector<String> lines, BlockingQueue<Stage<byte[], String>> decoders) throws IOException {
        Framing<String> framing = Framing.lines(MAX_LINE);
        return weft.spawn(new TcpServer(0, adapter -> {
            Stage<byte[], String> decoder = framing.decoder(adapter);
            adapter.outbox.linkTo(decoder.inbox);
            adapter.signal.linkTo(decoder.control);
            decoder.outbox.linkTo(lines.inbox);
            decoder.signal.linkTo(adapter.control);     // decoding done: the adapter may close its output
            decoders.add(decoder);
            weft.spawn(decoder);
        }));
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** Reads until the server closes the connection; true once it has (end of stream or a reset). */
    private static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aLastLineWithoutANewlineReachesTheApplicationWhenThePeerShutsItsOutputDown() throws Exception {
        Collector<String> lines = weft.spawn(new Collector<>(String.class));
        BlockingQueue<Stage<byte[], String>> decoders = new LinkedBlockingQueue<>();
        TcpServer server = lineServer(lines, decoders);

        try (Socket client = connect(server)) {
            OutputStream out = client.getOutputStream();
            out.write("one\r\n".getBytes(UTF_8));
            out.flush();
            assertThat(lines.next(WAIT)).isEqualTo("one");
            out.write("two\nthr".getBytes(UTF_8));
            out.flush();
            assertThat(lines.next(WAIT)).isEqualTo("two");
            out.write("ee".getBytes(UTF_8));
            client.shutdownOutput();

            assertThat(lines.next(WAIT)).as("the last line, flushed at end of input").isEqualTo("three");
            assertThat(client.getInputStream().read()).as("then the server ends its output").isEqualTo(-1);
        }
        Stage<byte[], String> decoder = decoders.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(decoder.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
    }

    @Test
    void aLineOverTheMaximumClosesThatConnectionOnlyAndTheErrorNamesItAndTheLimit() throws Exception {
        Collector<String> lines = weft.spawn(new Collector<>(String.class));
        BlockingQueue<Stage<byte[], String>> decoders = new LinkedBlockingQueue<>();
        TcpServer server = lineServer(lines, decoders);

        try (Socket flooder = connect(server); Socket polite = connect(server)) {
            List<Stage<byte[], String>> both = List.of(decoders.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                    decoders.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            polite.getOutputStream().write("hello\n".getBytes(UTF_8));
            assertThat(lines.next(WAIT)).isEqualTo("hello");

            flooder.getOutputStream().write("x".repeat(MAX_LINE + 50).getBytes(UTF_8));

            assertThat(closedByServer(flooder)).as("the flooder's connection is closed at once").isTrue();
            Stage<byte[], String> flooderDecoder = both.stream()
                    .filter(d -> d.name().endsWith(":" + flooder.getLocalPort())).findFirst().orElseThrow();
            Terminated end = flooderDecoder.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(FramingException.class)
                    .hasMessageStartingWith("lines-decoder<-/127.0.0.1:" + flooder.getLocalPort() + ": a line longer than"
                            + " the maximum of " + MAX_LINE + " bytes came in");

            polite.getOutputStream().write("still here\n".getBytes(UTF_8));
            assertThat(lines.next(WAIT)).as("the other connection carries on").isEqualTo("still here");
        }
    }

    @Test
    void aTcpClientAndServerExchangeLengthPrefixedFramesLargerThanAChunk() throws Exception {
        Framing<byte[]> framing = Framing.lengthPrefix(4, MAX_FRAME);
        TcpServer reverser = weft.spawn(new TcpServer(0, adapter -> {
            Pipeline<byte[], byte[]> reverse = Pipeline.from(byte[].class)
                    .then(framing.decoder(adapter))
                    .map(FramingTcpTest::reversed)
                    .then(framing.encoder(adapter))
                    .build();
            adapter.outbox.linkTo(reverse.inbox);
            adapter.signal.linkTo(reverse.control);
            reverse.outbox.linkTo(adapter.inbox);
            reverse.signal.linkTo(adapter.control);
            weft.spawn(reverse);
        }));
        TcpClient client = new TcpClient(reverser.localAddress());
        Stage<byte[], byte[]> encoder = framing.encoder(client.adapter());
        Stage<byte[], byte[]> decoder = framing.decoder(client.adapter());
        Collector<byte[]> replies = weft.spawn(new Collector<>(byte[].class));
        encoder.outbox.linkTo(client.inbox);
        client.outbox.linkTo(decoder.inbox);
        decoder.outbox.linkTo(replies.inbox);
        weft.spawn(decoder);
        weft.spawn(client);
        weft.spawn(encoder);

        Random random = new Random(11);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            byte[] frame = new byte[i == 0 ? 0 : i == 1 ? MAX_FRAME : random.nextInt(MAX_FRAME)];
            random.nextBytes(frame);
            sent.add(frame);
            encoder.inbox.send(frame);
        }

        for (byte[] frame : sent) {
            assertThat(replies.next(WAIT)).isEqualTo(reversed(frame));
        }
    }

    private static byte[] reversed(byte[] frame) {
        byte[] r = new byte[frame.length];
        for (int i = 0; i < frame.length; i++) {
            r[i] = frame[frame.length - 1 - i];
        }
        return r;
    }
}
