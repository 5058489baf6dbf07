package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ConnectionCapTest {
    private static final int CAP = 3;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aServerAtItsCapClosesNewConnectionsAtOnceCountsThemAndServesAgainOnceOneEnds() throws Exception {
        try (Weft weft = Weft.start()) {
            TcpServer server = weft.spawn(new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpServerOptions.defaults().withMaxConnections(CAP), adapter -> {
                        adapter.outbox.linkTo(adapter.inbox);
                        adapter.signal.linkTo(adapter.control);
                    }));
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < CAP; i++) {
                    Socket s = connect(server);
                    held.add(s);
                    assertThat(echo(s, i)).as("connection " + i + " under the cap").isTrue();
                }

                try (Socket beyond = connect(server)) {
                    assertThat(closedWithoutAWord(beyond.getInputStream())).as("the connection beyond the cap").isTrue();
                }
                assertThat(server.refusedCount()).isEqualTo(1);
                Counter refused = weft.meterRegistry().get("weft.tcp.refused")
                        .tag("server", "127.0.0.1:" + server.port()).counter();
                assertThat(refused.count()).isEqualTo(1.0);
                assertThat(weft.meterRegistry().get("weft.tcp.connections").gauge().value()).isEqualTo(CAP);

                held.remove(0).close();
                await(() -> server.connectionCount() == CAP - 1, "the closed connection to end");
                try (Socket again = connect(server)) {
                    assertThat(echo(again, 42)).as("a connection once one has ended").isTrue();
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static boolean echo(Socket s, int value) throws IOException {
        s.getOutputStream().write(value);
        return s.getInputStream().read() == value;
    }

    /** True if the server closes (or resets) the connection without sending anything. */
    private static boolean closedWithoutAWord(InputStream in) {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
