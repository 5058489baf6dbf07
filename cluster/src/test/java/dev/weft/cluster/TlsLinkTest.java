package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Sink;
import dev.weft.testkit.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links over mutual TLS: runtimes that trust each other's certificates link; a runtime with a
 * certificate they do not trust, or with no TLS at all, gets no link and delivers nothing.
 */
class TlsLinkTest {
    private static final long WATCHDOG_SECONDS = 30;

    @TempDir
    static Path certificates;

    private static ClusterEtcd etcd;
    private static ClusterEtcd.Node a;
    private static ClusterEtcd.Node b;
    private static ClusterEtcd.Node stranger;
    private static ClusterEtcd.Node plain;

    @BeforeAll
    static void start() throws Exception {
        SelfSignedCertificate cluster = SelfSignedCertificate.make(certificates, "cluster");
        SelfSignedCertificate other = SelfSignedCertificate.make(certificates, "other");
        LinkTls members = new LinkTls(cluster.certificatePem(), cluster.privateKeyPem(), cluster.certificatePem());
        // the stranger trusts the cluster, but the cluster does not trust it
        LinkTls outsider = new LinkTls(other.certificatePem(), other.privateKeyPem(), cluster.certificatePem());
        etcd = new ClusterEtcd();
        a = etcd.node(etcd.options("a").withTls(members));
        b = etcd.node(etcd.options("b").withTls(members));
        stranger = etcd.node(etcd.options("stranger").withTls(outsider));
        plain = etcd.node(etcd.options("plain"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void runtimesThatTrustEachOtherLinkOverTls() throws Exception {
        ServiceKey<String> key = ServiceKey.of("tls-" + System.nanoTime(), String.class);
        Receivers.Collector c = b.weft().spawn(new Receivers.Collector("tls", 16, true));
        b.register(key, c.in, Codec.strings());

        Sink<String> remote = a.lookup(key, Codec.strings());
        remote.send("secret");

        assertThat(remote).isInstanceOf(RemoteSink.class);
        assertThat(c.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("secret");
        c.shutdown();
    }

    @Test
    void aRuntimeWithAnUntrustedCertificateOrNoTlsGetsNoLink() throws Exception {
        ServiceKey<String> key = ServiceKey.of("guarded-" + System.nanoTime(), String.class);
        Receivers.Collector c = b.weft().spawn(new Receivers.Collector("guarded", 16, true));
        RemoteAddress at = b.register(key, c.in, Codec.strings());

        assertThatThrownBy(() -> stranger.cluster().connect(at, Codec.strings()))
                .as("the cluster does not trust the stranger's certificate").isInstanceOf(LinkBrokenException.class);
        assertThatThrownBy(() -> plain.cluster().connect(at, Codec.strings()))
                .as("plaintext never reaches a TLS link server").isInstanceOf(LinkBrokenException.class);

        Sink<String> member = a.lookup(key, Codec.strings());
        member.send("only this");
        assertThat(c.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("only this");
        assertThat(c.received).as("nothing else arrived").isEmpty();
        c.shutdown();
    }
}
