package dev.weft.examples;

import static dev.weft.examples.LauncherRun.launch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.testkit.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft kvs ...} (in process) against {@code weft run kvs-server} (a child JVM, stopped the way
 * Ctrl-C stops it), exit codes included.
 */
class KvsCliTest {
    private final List<ServerExamplesTest.Example> running = new ArrayList<>();

    @TempDir
    Path data;

    @AfterEach
    void killLeftovers() {
        running.forEach(e -> e.process.destroyForcibly());
    }

    private ServerExamplesTest.Example server(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "kvs-server", "--port", "0", "--data", data.toString()));
        args.addAll(List.of(extra));
        ServerExamplesTest.Example example = new ServerExamplesTest.Example(args.toArray(String[]::new));
        running.add(example);
        return example;
    }

    private static LauncherRun kvs(int port, String... args) {
        List<String> all = new ArrayList<>(List.of("kvs"));
        all.addAll(List.of(args));
        all.addAll(List.of("--connect", "127.0.0.1:" + port));
        return launch(all.toArray(String[]::new));
    }

    private static void assertOk(LauncherRun run, String out) {
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(out);
    }

    private static void assertFails(LauncherRun run, String message) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(message);
    }

    @Test
    void everyCommandWorksAgainstARunningServerAndTheDataSurvivesARestart() throws Exception {
        ServerExamplesTest.Example first = server();
        int port = first.port();

        assertOk(kvs(port, "put", "job.state", "running"), "1\n");
        assertOk(kvs(port, "append", "job.log", "started;"), "2\n");
        assertOk(kvs(port, "append", "job.log", "done;"), "3\n");
        assertOk(kvs(port, "get", "job.log"), "started;done;\n");
        assertOk(kvs(port, "get", "job.state", "--at", "1"), "running\n");
        assertOk(kvs(port, "ls"), "job\n");
        assertOk(kvs(port, "ls", "job"), "log\nstate\n");
        assertOk(kvs(port, "version"), "3\n");
        assertOk(kvs(port, "wait", "3"), "3\n");
        assertOk(kvs(port, "put", "job.state", "done", "--require-version", "1"), "4\n");
        assertFails(kvs(port, "put", "job.state", "again", "--require-version", "1"),
                "conflict: 'job.state' is at version 4, not 1");
        assertFails(kvs(port, "wait", "99", "--timeout", "0"), "version 99 not reached");
        assertFails(kvs(port, "get", "job.missing"), "no key 'job.missing' in namespace 'primary'");
        assertFails(kvs(port, "get", "job"), "is a directory");
        assertFails(kvs(port, "version", "-n", "nope"), "no namespace 'nope'");

        CompletableFuture<LauncherRun> watch = CompletableFuture.supplyAsync(
                () -> kvs(port, "watch", "job.result", "--mode", "create"));
        assertOk(kvs(port, "put", "job.result", "42"), "5\n");
        LauncherRun watched = watch.get(30, TimeUnit.SECONDS);
        assertOk(watched, "v5 job.result = 42\nv5 ended: CREATED\n");
        assertOk(kvs(port, "watch", "job.log", "--mode", "append", "--count", "1"), "v5 job.log += started;done;\n");

        assertOk(kvs(port, "unlink", "job.log"), "6\n");
        assertFails(kvs(port, "get", "job.log"), "no key");

        first.interrupt();
        first.awaitLine("stopped cleanly");

        ServerExamplesTest.Example second = server();
        int again = second.port();
        assertOk(kvs(again, "get", "job.state"), "done\n");
        assertOk(kvs(again, "version"), "6\n");
        second.interrupt();
    }

    @Test
    void aServerWithATokenRefusesClientsWithoutIt() throws Exception {
        ServerExamplesTest.Example guarded = server("--token", "s3cret", "--fsync", "always");
        int port = guarded.port();

        assertOk(kvs(port, "put", "k", "v", "--token", "s3cret"), "1\n");
        assertFails(kvs(port, "get", "k", "--token", "wrong"), "authentication failed: wrong token");
        assertFails(kvs(port, "get", "k"), "authentication failed");
        assertOk(kvs(port, "get", "k", "--token", "s3cret"), "v\n");
        guarded.interrupt();
    }

    @Test
    void aTlsServerServesTheCliOverTlsAndTellsAPlainClientToUseIt() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.make(data.resolve("keys"), "server");
        ServerExamplesTest.Example tls = server("--token", "s3cret", "--tls-cert", cert.certificatePem().toString(),
                "--tls-key", cert.privateKeyPem().toString());
        int port = tls.port();
        assertThat(tls.transcript).contains("TLS)");

        assertOk(kvs(port, "put", "k", "over tls", "--token", "s3cret", "--tls-ca", cert.certificatePem().toString()),
                "1\n");
        assertOk(kvs(port, "get", "k", "--token", "s3cret", "--tls-ca", cert.certificatePem().toString()), "over tls\n");
        assertFails(kvs(port, "get", "k", "--token", "s3cret"), "speaks TLS; connect with TLS");
        assertFails(kvs(port, "get", "k", "--token", "s3cret", "--tls"), "not signed by anything this side trusts");
        tls.interrupt();
    }

    @Test
    void keyAndTrustStoresWorkLikePemFilesForMutualTls() throws Exception {
        SelfSignedCertificate server = SelfSignedCertificate.make(data.resolve("keys"), "server");
        SelfSignedCertificate client = SelfSignedCertificate.make(data.resolve("keys"), "client", "EC", "dns:client.test");
        String password = SelfSignedCertificate.PASSWORD;
        ServerExamplesTest.Example mutual = server("--tls-keystore", server.keyStore().toString(),
                "--tls-keystore-password", password, "--tls-client-truststore", client.trustStore().toString(),
                "--tls-truststore-password", password);
        int port = mutual.port();

        assertOk(kvs(port, "put", "k", "with a certificate", "--tls-truststore", server.trustStore().toString(),
                "--tls-truststore-password", password, "--tls-keystore", client.keyStore().toString(),
                "--tls-keystore-password", password), "1\n");
        LauncherRun anonymous = kvs(port, "get", "k", "--tls-truststore", server.trustStore().toString(),
                "--tls-truststore-password", password);
        assertThat(anonymous.exitCode()).as("a client without a certificate is refused").isEqualTo(1);
        assertThat(anonymous.err()).containsIgnoringCase("certificate");
        mutual.interrupt();
    }

    @Test
    void tlsOptionsThatDoNotFitAreUsageErrorsNamingTheFile() throws Exception {
        LauncherRun halfPair = launch("kvs", "version", "--tls-cert", data.resolve("cert.pem").toString());
        assertThat(halfPair.exitCode()).as("a usage error").isEqualTo(2);
        assertThat(halfPair.err()).contains("--tls-cert and --tls-key go together");

        LauncherRun missing = launch("kvs", "version", "--tls-ca", data.resolve("nowhere.pem").toString());
        assertThat(missing.exitCode()).as("a usage error").isEqualTo(2);
        assertThat(missing.err()).contains("nowhere.pem");

        LauncherRun both = launch("kvs", "version", "--tls-ca", data.resolve("ca.pem").toString(),
                "--tls-truststore", data.resolve("trust.p12").toString());
        assertThat(both.exitCode()).as("a usage error").isEqualTo(2);
        assertThat(both.err()).contains("give --tls-ca or --tls-truststore, not both");
    }

    @Test
    void noServerIsAClearErrorWithNonZeroExit() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertFails(kvs(closed, "version"), "cannot connect to 127.0.0.1:" + closed);
        assertFails(launch("kvs", "version", "--connect", "nonsense"), "expected host:port");
        assertThat(launch("kvs", "put", "only-a-key").exitCode()).as("a usage error").isEqualTo(2);
    }
}
