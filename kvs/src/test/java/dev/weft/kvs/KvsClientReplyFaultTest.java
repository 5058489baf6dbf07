package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that answers with broken replies: whatever the client fails to decode reaches its caller as
 * a {@link KvsException} that says so, never as an internal exception type.
 */
class KvsClientReplyFaultTest {
    private ServerSocketChannel listener;
    private Thread serving;

    @AfterEach
    void stop() throws Exception {
        listener.close();
        serving.interrupt();
        assertThat(serving.join(Duration.ofSeconds(10))).isTrue();
    }

    /** Accepts one connection and answers every request frame (type, id) with {@code reply}'s frame. */
    private InetSocketAddress serve(BiFunction<Byte, Long, byte[]> reply) throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        serving = Thread.ofVirtual().start(() -> {
            try (SocketChannel ch = listener.accept()) {
                for (;;) {
                    ByteBuffer header = ByteBuffer.allocate(Wire.HEADER);
                    if (!readFully(ch, header)) {
                        return;
                    }
                    ByteBuffer body = ByteBuffer.allocate(header.getInt(0));
                    if (!readFully(ch, body)) {
                        return;
                    }
                    ch.write(ByteBuffer.wrap(reply.apply(body.get(0), body.getLong(1))));
                }
            } catch (IOException e) {
                // the test closed the listener or the client went away
            }
        });
        return (InetSocketAddress) listener.getLocalAddress();
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (ch.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aTruncatedReplyToAReadIsAKvsException() throws Exception {
        InetSocketAddress address = serve((type, id) -> new Wire.Out(Wire.R_VALUE, id).i32(7).frame());
        try (KvsClient client = KvsClient.connect(address)) {
            assertThatThrownBy(() -> client.primary().get("k")).isExactlyInstanceOf(KvsException.class)
                    .hasMessageContaining("protocol error");
        }
    }

    @Test
    void aTruncatedReplyToAnAsynchronousCallFailsItsFutureWithAKvsException() throws Exception {
        InetSocketAddress address = serve((type, id) -> new Wire.Out(Wire.R_VERSION, id).u8(1).frame());
        try (KvsClient client = KvsClient.connect(address)) {
            assertThat(client.primary().whenVersion(5)).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause().isExactlyInstanceOf(KvsException.class).withMessageContaining("protocol error");
        }
    }

    @Test
    void aListOfNamespacesLongerThanItsFrameIsAKvsException() throws Exception {
        InetSocketAddress address = serve((type, id) -> new Wire.Out(Wire.R_NAMESPACES, id).i32(1000).str("a").frame());
        try (KvsClient client = KvsClient.connect(address)) {
            assertThatThrownBy(client::namespaces).isExactlyInstanceOf(KvsException.class)
                    .hasMessageContaining("protocol error");
        }
    }

    @Test
    void aReplyOfTheWrongTypeIsAKvsException() throws Exception {
        InetSocketAddress address = serve((type, id) -> new Wire.Out(Wire.R_DONE, id).frame());
        try (KvsClient client = KvsClient.connect(address)) {
            assertThatThrownBy(() -> client.primary().version()).isExactlyInstanceOf(KvsException.class)
                    .hasMessageContaining("protocol error");
        }
    }
}
