package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import dev.weft.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS as a stage of the socket pipeline, against the JDK's own {@link SSLSocket} and against itself.
 * The certificates are made by keytool when the class starts; no key is committed.
 */
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int LARGE = 8 << 20;
    private static final int RANDOM_ATTEMPTS = 10;

    @TempDir
    static Path keys;
    static SelfSignedCertificate server;
    static SelfSignedCertificate other;
    static SelfSignedCertificate client;
    static SelfSignedCertificate elsewhere;

    private Weft weft;
    private Collector<Terminated> disconnections;

    @BeforeAll
    static void makeCertificates() throws Exception {
        server = SelfSignedCertificate.make(keys, "server");
        other = SelfSignedCertificate.make(keys, "other");
        client = SelfSignedCertificate.make(keys, "client", "RSA", "dns:client.test");
        elsewhere = SelfSignedCertificate.make(keys, "elsewhere", "EC", "dns:elsewhere.test");
    }

    @AfterEach
    void stop() {
        if (weft != null) {
            weft.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Tls serverTls() throws IOException {
        return Tls.server(Tls.Identity.pem(server.certificatePem(), server.privateKeyPem()));
    }

    private static Tls trustingServer() throws IOException {
        return Tls.client().withTrust(Tls.Trust.pem(server.certificatePem()));
    }

    /** Starts an echo server that speaks TLS as {@code tls} says. */
    private TcpServer echoServer(Tls tls) throws IOException {
        weft = Weft.start();
        disconnections = weft.spawn(new Collector<>(Terminated.class));
        TcpServer echo = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpServerOptions.defaults().withTls(tls), adapter -> {
                    adapter.outbox.linkTo(adapter.inbox);
                    adapter.signal.linkTo(adapter.control);
                });
        echo.disconnections.linkTo(disconnections.inbox);
        return weft.spawn(echo);
    }

    /** A JDK client socket configured by {@code tls}, connected to the server by the name "localhost". */
    private static SSLSocket jdkClient(Tls tls, int port) throws IOException {
        SSLContext context = tls.context();
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        socket.setSSLParameters(tls.parameters());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static byte[] pattern(int length, long seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static SSLException sslCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException ssl) {
                return ssl;
            }
        }
        throw new AssertionError("no SSLException in the causes of " + t, t);
    }

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aJdkClientRoundTripsWithEachProtocol(String protocol) throws Exception {
        TcpServer echo = echoServer(serverTls());
        try (SSLSocket socket = jdkClient(trustingServer().withProtocols(protocol), echo.port())) {
            socket.getOutputStream().write("hello over tls".getBytes(StandardCharsets.US_ASCII));
            byte[] back = socket.getInputStream().readNBytes(14);

            assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("hello over tls");
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void eightMegabytesEachWayComeBackByteForByteAcrossAKeyUpdateOrRenegotiation(String protocol) throws Exception {
        TcpServer echo = echoServer(serverTls());
        byte[] sent = pattern(LARGE, 17);
        try (SSLSocket socket = jdkClient(trustingServer().withProtocols(protocol), echo.port())) {
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(sent, 0, LARGE / 2);
                    socket.startHandshake();      // TLS 1.3: a KeyUpdate; TLS 1.2: a renegotiation
                    out.write(sent, LARGE / 2, LARGE - LARGE / 2);
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    writeFailure.set(e);
                }
            });
            byte[] back = socket.getInputStream().readNBytes(LARGE);
            writer.join();

            assertThat(writeFailure.get()).as("the writer's failure").isNull();
            assertThat(back.length).isEqualTo(LARGE);
            assertThat(Arrays.mismatch(back, sent)).as("the first byte that differs").isEqualTo(-1);
        }
    }

    @Test
    void aHalfCloseSendsCloseNotifyAndEverythingStillComesBack() throws Exception {
        TcpServer echo = echoServer(serverTls());
        byte[] sent = pattern(300_000, 5);
        try (SSLSocket socket = jdkClient(trustingServer().withProtocols("TLSv1.3"), echo.port())) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();           // close_notify, and the socket stays open for reading
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = socket.getInputStream().readAllBytes();   // ends at the server's close_notify
            writer.join();

            assertThat(Arrays.mismatch(back, sent)).as("the first byte that differs").isEqualTo(-1);
            assertThat(back).hasSize(sent.length);
        }
        Terminated end = disconnections.next(WAIT);
        assertThat(end.state()).as("how the connection ended: " + end.cause()).isEqualTo(ComponentState.FINISHED);
        SocketAdapter adapter = (SocketAdapter) end.component();
        assertThat(adapter.bytesWritten()).as("TLS records are larger than their plaintext").isGreaterThan(sent.length);
    }

    @Test
    void aWeftClientAndServerTalkTlsAndCloseCleanly() throws Exception {
        TcpServer echo = echoServer(serverTls());
        Collector<byte[]> replies = weft.spawn(new Collector<>(byte[].class));
        TcpClient client = new TcpClient(new InetSocketAddress("localhost", echo.port()), trustingServer());
        client.outbox.linkTo(replies.inbox);
        weft.spawn(client);

        byte[] sent = pattern(100_000, 9);
        for (int at = 0; at < sent.length; at += 1000) {
            client.inbox.send(Arrays.copyOfRange(sent, at, at + 1000));
        }
        ByteBuffer back = ByteBuffer.allocate(sent.length);
        while (back.hasRemaining()) {
            back.put(replies.next(WAIT));
        }
        assertThat(back.array()).isEqualTo(sent);

        client.control.send(new dev.weft.runtime.ProducerFinished(client));
        assertThat(client.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        assertThat(disconnections.next(WAIT).state()).isEqualTo(ComponentState.FINISHED);
    }

    @Test
    void keyAndTrustStoresWorkLikePemFiles() throws Exception {
        Tls fromStore = Tls.server(Tls.Identity.keyStore(server.keyStore(), SelfSignedCertificate.password()));
        TcpServer echo = echoServer(fromStore);
        Tls trust = Tls.client().withTrust(Tls.Trust.keyStore(server.trustStore(), SelfSignedCertificate.password()));
        try (SSLSocket socket = jdkClient(trust, echo.port())) {
            socket.getOutputStream().write(42);
            assertThat(socket.getInputStream().read()).isEqualTo(42);
        }
    }

    // ---------------------------------------------------------------- mutual TLS

    @Test
    void aServerThatTrustsClientCertificatesServesAClientThatPresentsOne() throws Exception {
        Tls mutual = serverTls().withTrust(Tls.Trust.pem(client.certificatePem()));
        TcpServer echo = echoServer(mutual);
        Tls withCertificate = trustingServer().withIdentity(Tls.Identity.pem(client.certificatePem(),
                client.privateKeyPem()));
        try (SSLSocket socket = jdkClient(withCertificate, echo.port())) {
            socket.getOutputStream().write(7);
            assertThat(socket.getInputStream().read()).isEqualTo(7);
            assertThat(socket.getSession().getLocalCertificates()).hasSize(1);
        }
    }

    @Test
    void aServerThatTrustsClientCertificatesRefusesAClientWithoutOne() throws Exception {
        TcpServer echo = echoServer(serverTls().withTrust(Tls.Trust.pem(client.certificatePem())));
        TcpClient anonymous = weft.spawn(new TcpClient(new InetSocketAddress("localhost", echo.port()),
                trustingServer()));
        anonymous.inbox.send(new byte[] {1});

        Terminated clientEnd = anonymous.join(WAIT);
        assertThat(clientEnd.state()).isEqualTo(ComponentState.FAILED);
        assertThat(sslCause(clientEnd.cause()).getMessage()).as("the client's error")
                .contains("localhost/127.0.0.1:" + echo.port()).contains("fatal alert");
        Terminated serverEnd = disconnections.next(WAIT);
        assertThat(serverEnd.state()).isEqualTo(ComponentState.FAILED);
        assertThat(serverEnd.cause()).isInstanceOf(SSLHandshakeException.class);
        assertThat(serverEnd.cause().getMessage()).as("the server's error").contains("TLS handshake with /127.0.0.1:")
                .containsIgnoringCase("certificate");
    }

    // ---------------------------------------------------------------- failures close that connection only

    @Test
    void aWrongTrustStoreFailsTheHandshakeWithAMessageNamingThePeerAndTheReason() throws Exception {
        TcpServer echo = echoServer(serverTls());
        Tls trustsSomeoneElse = Tls.client().withTrust(Tls.Trust.pem(other.certificatePem()));
        TcpClient confused = weft.spawn(new TcpClient(new InetSocketAddress("localhost", echo.port()),
                trustsSomeoneElse));

        Terminated end = confused.join(WAIT);

        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        SSLException error = sslCause(end.cause());
        assertThat(error).isInstanceOf(SSLHandshakeException.class);
        assertThat(error.getMessage()).as("names the peer").contains("TLS handshake with localhost/127.0.0.1:" + echo.port())
                .as("says why").contains("not signed by anything this side trusts");
        assertThat(disconnections.next(WAIT).state()).as("the server's side of it").isEqualTo(ComponentState.FAILED);
        assertThat(echo.state()).isEqualTo(ComponentState.RUNNING);
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByTheClient() throws Exception {
        TcpServer echo = echoServer(Tls.server(Tls.Identity.pem(elsewhere.certificatePem(), elsewhere.privateKeyPem())));
        Tls trusting = Tls.client().withTrust(Tls.Trust.pem(elsewhere.certificatePem()));
        TcpClient client = weft.spawn(new TcpClient(new InetSocketAddress("localhost", echo.port()), trusting));

        Terminated end = client.join(WAIT);

        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        assertThat(sslCause(end.cause()).getMessage()).contains("localhost").contains("certificate was refused");
    }

    @Test
    void plaintextSentToATlsPortClosesThatConnectionOnlyAndTheServerKeepsServing() throws Exception {
        TcpServer echo = echoServer(serverTls());
        try (SSLSocket established = jdkClient(trustingServer(), echo.port())) {
            established.getOutputStream().write(1);
            assertThat(established.getInputStream().read()).isEqualTo(1);

            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
                plain.setSoTimeout((int) WAIT.toMillis());
                plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readUntilClosed(plain.getInputStream())).as("bytes the server sends back before closing")
                        .isLessThan(100);                 // at most an alert
            }
            Terminated end = disconnections.next(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause().getMessage()).contains("TLS handshake with /127.0.0.1:").contains("does not speak TLS");

            established.getOutputStream().write(2);
            assertThat(established.getInputStream().read()).as("the connection made before").isEqualTo(2);
        }
        assertThat(echo.state()).isEqualTo(ComponentState.RUNNING);
    }

    @Test
    void randomBytesCloseThatConnectionOnlyAndTheServerKeepsServing() throws Exception {
        // The default handshake timeout: the connection made after the noise must complete its handshake
        // on a loaded machine. Noise is refused at once unless it happens to start like a long record.
        TcpServer echo = echoServer(serverTls());
        for (int seed = 0; seed < RANDOM_ATTEMPTS; seed++) {
            try (Socket noise = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
                noise.setSoTimeout((int) WAIT.toMillis());
                noise.getOutputStream().write(pattern(4096, seed));
                readUntilClosed(noise.getInputStream());      // refused at once, or at the handshake timeout
            }
            Terminated end = disconnections.next(WAIT);
            assertThat(end.state()).as("seed " + seed).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).as("seed " + seed).isInstanceOf(SSLException.class)
                    .hasMessageContaining("TLS handshake with /127.0.0.1:");
        }
        try (SSLSocket after = jdkClient(trustingServer(), echo.port())) {
            after.getOutputStream().write(3);
            assertThat(after.getInputStream().read()).as("a connection made after").isEqualTo(3);
        }
        disconnections.next(WAIT);                            // the last connection, closed by its client
        assertThat(echo.state()).isEqualTo(ComponentState.RUNNING);
        assertThat(echo.connectionCount()).isEqualTo(0);
    }

    @Test
    void aHandshakeCutOffHalfwayClosesThatConnectionOnly() throws Exception {
        TcpServer echo = echoServer(serverTls());
        byte[] hello = clientHello();
        try (Socket cut = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
            cut.setSoTimeout((int) WAIT.toMillis());
            cut.getOutputStream().write(hello, 0, hello.length / 2);
            cut.shutdownOutput();
            readUntilClosed(cut.getInputStream());
        }
        Terminated end = disconnections.next(WAIT);
        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        assertThat(end.cause().getMessage()).contains("closed the connection before the TLS handshake completed");

        try (SSLSocket after = jdkClient(trustingServer(), echo.port())) {
            after.getOutputStream().write(4);
            assertThat(after.getInputStream().read()).isEqualTo(4);
        }
    }

    @Test
    void aHandshakeThatStallsIsClosedAtTheHandshakeTimeout() throws Exception {
        TcpServer echo = echoServer(serverTls().withHandshakeTimeout(Duration.ofMillis(300)));
        byte[] hello = clientHello();
        try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), echo.port())) {
            stalled.setSoTimeout((int) WAIT.toMillis());
            stalled.getOutputStream().write(hello, 0, hello.length / 2);      // and then nothing

            readUntilClosed(stalled.getInputStream());
        }
        Terminated end = disconnections.next(WAIT);
        assertThat(end.state()).isEqualTo(ComponentState.FAILED);
        assertThat(end.cause().getMessage()).contains("did not complete within 300 ms");
        assertThat(echo.connectionCount()).isZero();
    }

    /** Reads until the server closes (or resets) the connection; returns the bytes read. */
    private static int readUntilClosed(InputStream in) {
        int total = 0;
        try {
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (IOException reset) {
            // closed with a reset: closed all the same
        }
        return total;
    }

    /** A real ClientHello, made by a client engine. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = trustingServer().engine(new InetSocketAddress("localhost", 443));
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), out);
        assertThat(r.bytesProduced()).isPositive();
        return Arrays.copyOf(out.array(), out.position());
    }

    // ---------------------------------------------------------------- back-pressure

    @Test
    void aClientThatNeverReadsStopsTheServerReadingWithBoundedMemory() throws Exception {
        TcpServer echo = echoServer(serverTls());
        Collector<SocketAdapter> connections = weft.spawn(new Collector<>(SocketAdapter.class));
        echo.connections.linkTo(connections.inbox);
        try (SSLSocket socket = jdkClient(trustingServer(), echo.port())) {
            socket.startHandshake();
            SocketAdapter adapter = connections.next(WAIT);
            AtomicReference<Long> written = new AtomicReference<>(0L);
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    for (;;) {
                        socket.getOutputStream().write(chunk);
                        written.set(written.get() + chunk.length);
                    }
                } catch (IOException closed) {
                    // the test closed the socket
                }
            });
            long lastRead = -1;
            int stable = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (stable < 50) {
                long read = adapter.bytesRead();
                stable = read == lastRead ? stable + 1 : 0;
                lastRead = read;
                assertThat(System.nanoTime()).as("the server stops reading in time").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }

            long held = adapter.bytesRead() - adapter.bytesWritten();
            assertThat(held).as("bytes read but not yet written back, held between the socket and the echo")
                    .isLessThan(4L << 20);
            assertThat(writer.isAlive()).as("the client is blocked writing: TCP flow control reached it").isTrue();
            adapter.shutdown();                    // closing the client's socket would wait for the blocked writer
            writer.join();
            assertThat(adapter.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    // ---------------------------------------------------------------- configuration errors

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefusedNamingBothFiles() {
        assertThatThrownBy(() -> Tls.Identity.pem(server.certificatePem(), other.privateKeyPem()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(other.privateKeyPem().toString())
                .hasMessageContaining("does not belong to the first certificate in " + server.certificatePem());
    }

    @Test
    void aKeyInAFormatTheJdkCannotReadIsRefusedWithTheCommandThatConvertsIt() throws IOException {
        Path legacy = keys.resolve("legacy-key.pem");
        Files.writeString(legacy, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> Tls.Identity.pem(server.certificatePem(), legacy))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'RSA PRIVATE KEY'")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + legacy);
    }

    @Test
    void aFileWithoutCertificatesIsRefused() {
        assertThatThrownBy(() -> Tls.Trust.pem(server.privateKeyPem()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(server.privateKeyPem() + " holds no '-----BEGIN CERTIFICATE-----' block");
    }

    @Test
    void aWrongKeyStorePasswordIsRefusedNamingTheStore() {
        assertThatThrownBy(() -> Tls.Identity.keyStore(server.keyStore(), "wrong".toCharArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot open the key store " + server.keyStore());
    }

    @Test
    void aTrustStoreGivenAsAnIdentityIsRefused() {
        assertThatThrownBy(() -> Tls.Identity.keyStore(server.trustStore(), SelfSignedCertificate.password()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds no private key (is it a trust store?)");
    }

    @Test
    void rolesCannotBeMixedUp() throws IOException {
        Tls serverSide = serverTls();
        assertThatThrownBy(() -> new TcpClient(new InetSocketAddress("localhost", 1), serverSide))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.client()");
        assertThatThrownBy(() -> TcpServerOptions.defaults().withTls(Tls.client()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.server(identity)");
        assertThatThrownBy(() -> Tls.client().withProtocols("SSLv2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'SSLv2'");
    }
}
