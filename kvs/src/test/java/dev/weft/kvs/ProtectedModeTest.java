package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.actors.net.Tls;
import dev.weft.runtime.Weft;
import dev.weft.testkit.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected mode and the token-over-TLS rule, with the peer's address injected: who is served is
 * decided from the address alone, so a test can place a client on another host without a network.
 */
class ProtectedModeTest {
    private static final InetSocketAddress EVERYWHERE = new InetSocketAddress("0.0.0.0", 7100);
    private static final List<String> LOOPBACK = List.of("127.0.0.1", "127.8.9.10", "::1");
    private static final List<String> ELSEWHERE = List.of("10.1.2.3", "192.168.0.7", "198.18.0.2", "fe80::1", "2001:db8::5");

    @TempDir
    Path keys;

    private static KvsServerOptions offLoopback() {
        return KvsServerOptions.loopback(7100).withAddress(EVERYWHERE);
    }

    private static KvsAdmission admission(KvsServerOptions options) {
        return new KvsAdmission(options);
    }

    private Tls serverTls() throws Exception {
        SelfSignedCertificate c = SelfSignedCertificate.make(keys, "server");
        return Tls.server(Tls.Identity.pem(c.certificatePem(), c.privateKeyPem()));
    }

    @Test
    void withoutATokenOnlyClientsOnLoopbackAreServed() throws Exception {
        KvsAdmission rule = admission(offLoopback());
        for (String peer : LOOPBACK) {
            assertThat(rule.refusal(InetAddress.getByName(peer))).as(peer).isNull();
        }
        for (String peer : ELSEWHERE) {
            assertThat(rule.refusal(InetAddress.getByName(peer))).as(peer)
                    .startsWith("this server has no token; set one or start it with --insecure");
        }
    }

    @Test
    void aTokenIsTakenFromAnotherHostOnlyOverTls() throws Exception {
        KvsAdmission plain = admission(offLoopback().withToken("s3cret"));
        KvsAdmission overTls = admission(offLoopback().withToken("s3cret").withTls(serverTls()));
        for (String peer : ELSEWHERE) {
            assertThat(plain.refusal(InetAddress.getByName(peer))).as(peer).isEqualTo(KvsAdmission.TOKEN_IN_CLEAR);
            assertThat(overTls.refusal(InetAddress.getByName(peer))).as(peer).isNull();
        }
        for (String peer : LOOPBACK) {
            assertThat(plain.refusal(InetAddress.getByName(peer))).as(peer).isNull();
        }
    }

    @Test
    void insecureServesEveryone() throws Exception {
        for (KvsServerOptions options : List.of(offLoopback().withInsecure(true),
                offLoopback().withInsecure(true).withToken("s3cret"))) {
            KvsAdmission rule = admission(options);
            for (String peer : ELSEWHERE) {
                assertThat(rule.refusal(InetAddress.getByName(peer))).as(peer + " with " + options).isNull();
            }
        }
    }

    @Test
    void oneWarningAtStartSaysWhichCaseTheServerIsIn() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 7100);
        assertThat(admission(offLoopback()).startWarning(loopback)).as("bound to loopback").isNull();
        assertThat(admission(offLoopback().withInsecure(true)).startWarning(loopback)).as("insecure on loopback").isNull();

        assertThat(admission(offLoopback()).startWarning(EVERYWHERE))
                .contains("0.0.0.0:7100").contains("has no token").contains("protected mode").contains("--insecure");
        assertThat(admission(offLoopback().withInsecure(true)).startWarning(EVERYWHERE))
                .contains("is insecure").contains("anyone who can reach it");
        assertThat(admission(offLoopback().withToken("t")).startWarning(EVERYWHERE))
                .contains("has a token but no TLS").contains("refuses clients on other hosts");
        assertThat(admission(offLoopback().withToken("t").withInsecure(true)).startWarning(EVERYWHERE))
                .contains("is insecure").contains("clear text");
        assertThat(admission(offLoopback().withToken("t").withTls(serverTls())).startWarning(EVERYWHERE))
                .as("a token over TLS").isNull();
    }

    @Test
    void aClientPlacedOnAnotherHostGetsTheClearErrorFrameAndIsClosed() throws Exception {
        KvsServerOptions options = offLoopback();
        try (Weft weft = Weft.start(); Kvs kvs = Kvs.inMemory();
                ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort())) {
                client.setSoTimeout(10_000);
                SocketChannel accepted = listener.accept();
                SocketAdapter adapter = new SocketAdapter(accepted);
                KvsServer.serve(weft, kvs, options, admission(options), InetAddress.getByName("10.1.2.3"), adapter);
                weft.spawn(adapter);
                byte[] version = new Wire.Out(Wire.VERSION, 1).str(Kvs.PRIMARY).frame();
                client.getOutputStream().write(version);

                List<Wire.In> frames = frames(client.getInputStream().readAllBytes());   // ends when the server closes

                assertThat(frames).as("one error frame, and the VERSION request is never answered").hasSize(1);
                Wire.In refusal = frames.get(0);
                assertThat(refusal.type).isEqualTo(Wire.R_ERROR);
                assertThat(refusal.id).as("a connection-level error").isZero();
                assertThat(Wire.error(refusal)).isInstanceOf(AuthenticationException.class)
                        .hasMessageStartingWith("authentication failed: this server has no token; set one or start it "
                                + "with --insecure");
            }
        }
    }

    @Test
    void theClientRefusesToSendItsTokenInClearTextToAnotherHost() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing is sent there, the refusal comes first.
        KvsClientOptions options = KvsClientOptions.of("192.0.2.1:7100").withToken("s3cret");

        assertThatThrownBy(() -> KvsClient.connect(options))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("refusing to send the token to /192.0.2.1:7100 over plain TCP")
                .hasMessageContaining("--insecure");
    }

    /** Cuts a byte stream into frames. */
    static List<Wire.In> frames(byte[] stream) {
        List<Wire.In> frames = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(stream);
        while (b.remaining() >= Wire.HEADER) {
            byte[] body = new byte[b.getInt()];
            b.get(body);
            frames.add(new Wire.In(body));
        }
        assertThat(b.remaining()).as("bytes after the last whole frame").isZero();
        return frames;
    }
}
