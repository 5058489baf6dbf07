package dev.weft.actors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.flow.Pipeline;
import dev.weft.actors.net.Framing;
import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Keeps the TCP line server of README.md honest: the same wiring, on a free port, with a client in
 * place of the README's {@code join()}.
 */
class ReadmeLineServerTest {

    @Test
    void theLineServerShoutsEveryLineBackThenClosesAfterTheClientsEnd() throws Exception {
        try (Weft weft = Weft.start()) {
            Framing<String> lines = Framing.lines(4096);
            TcpServer server = weft.spawn(new TcpServer(0, adapter -> {
                Pipeline<byte[], byte[]> shout = Pipeline.from(byte[].class)
                        .then(lines.decoder(adapter))
                        .map(String::toUpperCase)
                        .then(lines.encoder(adapter))
                        .build();
                weft.pipe(adapter.outbox, shout.inbox);
                weft.pipe(shout.outbox, adapter.inbox);
                weft.spawn(shout);
            }));

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("hello\nworld".getBytes(StandardCharsets.UTF_8));
                client.shutdownOutput();

                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .as("every line, the last one without a newline too, then the end of the stream")
                        .isEqualTo("HELLO\nWORLD\n");
            }
        }
    }
}
