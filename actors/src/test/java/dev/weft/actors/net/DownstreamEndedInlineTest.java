package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Await;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plain TCP adapter whose downstream inbox has closed fails when it reads a
 * chunk it cannot deliver (as on main), whichever thread reads it.
 */
@ParameterizedClass(name = "{0} backend")
@ValueSource(strings = {"nio", "epoll"})
class DownstreamEndedInlineTest {
    @Parameter
    String backend;
    private Weft weft;
    private ServerSocketChannel listener;
    private SocketChannel peer;

    @BeforeEach
    void start() throws IOException {
        System.setProperty("weft.selector.backend", backend);
        weft = Weft.start();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        System.clearProperty("weft.selector.backend");
        weft.close();
        if (peer != null) {
            peer.close();
        }
        listener.close();
    }

    @Test
    void bytesForAnEndedDownstreamFailTheAdapter() throws Exception {
        peer = SocketChannel.open();
        peer.connect(listener.getLocalAddress());
        SocketAdapter adapter = new SocketAdapter(listener.accept());
        Collector<byte[]> reads = weft.spawn(new Collector<>(byte[].class));
        adapter.outbox.linkTo(reads.inbox);
        weft.spawn(adapter);
        Await.condition(() -> weft.snapshot().component(adapter.name()).map(c -> c.parked()).orElse(false),
                "the adapter to park");
        reads.stop();
        reads.join(Duration.ofSeconds(10));
        peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Terminated end = adapter.join(Duration.ofSeconds(10));   // before the fix: TimeoutException, it never noticed
        assertThat(end.failed()).as("the adapter failed on a chunk it could not deliver").isTrue();
    }
}
