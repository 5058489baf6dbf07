package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.net.Tls;
import dev.weft.runtime.Weft;
import dev.weft.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVS server and client over TLS, with certificates keytool makes when the class starts. */
class KvsTlsTest {
    private static final String TOKEN = "s3cret-over-tls";

    @TempDir
    static Path keys;
    static SelfSignedCertificate server;
    static SelfSignedCertificate client;
    static SelfSignedCertificate stranger;

    private Weft weft;
    private Kvs kvs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        server = SelfSignedCertificate.make(keys, "server");
        client = SelfSignedCertificate.make(keys, "client", "RSA", "dns:client.test");
        stranger = SelfSignedCertificate.make(keys, "stranger");
    }

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

    private static Tls serverTls() throws IOException {
        return Tls.server(Tls.Identity.pem(server.certificatePem(), server.privateKeyPem()));
    }

    private static Tls trustingServer() throws IOException {
        return Tls.client().withTrust(Tls.Trust.pem(server.certificatePem()));
    }

    private KvsServer tlsServer(Tls tls) throws IOException {
        return KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withToken(TOKEN).withTls(tls));
    }

    @Test
    void aClientOverTlsAuthenticatesCommitsReadsAndWatches() throws Exception {
        KvsServer s = tlsServer(serverTls());
        KvsClientOptions options = KvsClientOptions.of(s.address()).withToken(TOKEN).withTls(trustingServer());
        try (KvsClient c = KvsClient.connect(options)) {
            Namespace ns = c.primary();
            BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            Watch watch = ns.watch("job.state", WatchMode.VALUE, events::add);

            long v = ns.put("job.state", "running");

            assertThat(ns.at(v).getString("job.state")).isEqualTo("running");
            WatchEvent first = events.poll(10, TimeUnit.SECONDS);
            while (first instanceof WatchEvent.Value initial && initial.value() == null) {
                first = events.poll(10, TimeUnit.SECONDS);      // the watch's initial state: no value yet
            }
            assertThat(first).isInstanceOfSatisfying(WatchEvent.Value.class,
                    e -> assertThat(new String(e.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("running"));
            watch.cancel();
        }
    }

    @Test
    void aClientThatTrustsSomeoneElseFailsToConnectWithAMessageNamingTheServerAndTheReason() throws Exception {
        KvsServer s = tlsServer(serverTls());
        KvsClientOptions options = KvsClientOptions.of(s.address()).withToken(TOKEN)
                .withTls(Tls.client().withTrust(Tls.Trust.pem(stranger.certificatePem())));

        assertThatThrownBy(() -> KvsClient.connect(options))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with " + s.address())
                .hasMessageContaining("not signed by anything this side trusts");
        assertThat(s.tcpServer().state()).isEqualTo(dev.weft.runtime.ComponentState.RUNNING);
    }

    @Test
    void aPlainClientOfATlsServerIsToldToUseTls() throws Exception {
        KvsServer s = tlsServer(serverTls());
        KvsClientOptions plain = KvsClientOptions.of(s.address()).withToken(TOKEN);

        assertThatThrownBy(() -> KvsClient.connect(plain)).isInstanceOf(KvsException.class)
                .hasMessage("the server at " + s.address() + " speaks TLS; connect with TLS (KvsClientOptions.withTls, "
                        + "weft kvs --tls)");
    }

    @Test
    void mutualTlsServesAClientWithItsCertificateAndRefusesOneWithout() throws Exception {
        KvsServer s = tlsServer(serverTls().withTrust(Tls.Trust.pem(client.certificatePem())));
        Tls withCertificate = trustingServer().withIdentity(Tls.Identity.pem(client.certificatePem(),
                client.privateKeyPem()));
        try (KvsClient c = KvsClient.connect(KvsClientOptions.of(s.address()).withToken(TOKEN).withTls(withCertificate))) {
            assertThat(c.primary().put("who", "a client with a certificate")).isEqualTo(1);
        }

        KvsClientOptions anonymous = KvsClientOptions.of(s.address()).withToken(TOKEN).withTls(trustingServer());
        assertThatThrownBy(() -> {
            try (KvsClient c = KvsClient.connect(anonymous)) {
                c.primary().version();        // TLS 1.3: the server's refusal may come after the client's handshake ends
            }
        }).satisfies(e -> assertThat(e.toString() + e.getCause()).containsIgnoringCase("certificate"));
    }
}
