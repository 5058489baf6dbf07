package dev.weft.examples;

import static dev.weft.examples.LauncherRun.launch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.testkit.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft kvs ...} run as users run it (the launcher in a child JVM, {@link KvsCli}) against
 * {@code weft run kvs-server} (another child JVM, stopped the way Ctrl-C stops it): output, exit
 * codes and messages. Usage errors, which never reach a server, run in process.
 */
class KvsCliTest {
    private final List<ServerExamplesTest.Example> servers = new ArrayList<>();
    private final List<KvsCli> clients = new ArrayList<>();

    @TempDir
    Path data;

    @AfterEach
    void killLeftovers() {
        clients.forEach(KvsCli::kill);
        servers.forEach(e -> e.process.destroyForcibly());
    }

    private ServerExamplesTest.Example server(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "kvs-server", "--port", "0", "--data", data.resolve("kvs").toString()));
        args.addAll(List.of(extra));
        ServerExamplesTest.Example example = new ServerExamplesTest.Example(args.toArray(String[]::new));
        servers.add(example);
        return example;
    }

    private static LauncherRun kvs(int port, String... args) throws Exception {
        return KvsCli.run(port, args);
    }

    private KvsCli follow(int port, String... args) throws Exception {
        KvsCli cli = KvsCli.start(port, args);
        clients.add(cli);
        return cli;
    }

    private static void assertOk(LauncherRun run, String out) {
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(out);
    }

    private static void assertFails(LauncherRun run, String message) {
        assertThat(run.exitCode()).as("exit code; stderr: " + run.err()).isEqualTo(1);
        assertThat(run.err()).contains(message);
    }

    private static void assertUsage(LauncherRun run, String message, String command) {
        assertThat(run.exitCode()).as("a usage error; stderr: " + run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("Usage: " + command);
    }

    @Test
    void everyCommandWorksAgainstARunningServerAndTheDataSurvivesARestart() throws Exception {
        ServerExamplesTest.Example first = server();
        int port = first.port();

        assertOk(kvs(port, "put", "job.state=running"), "1\n");
        assertOk(kvs(port, "append", "job.log", "started;"), "2\n");
        assertOk(kvs(port, "put", "-A", "job.log=done;"), "3\n");
        assertOk(kvs(port, "get", "job.log"), "started;done;\n");
        assertOk(kvs(port, "get", "job.state", "--at", "1"), "running\n");
        assertOk(kvs(port, "ls"), "job\n");
        assertOk(kvs(port, "ls", "job"), "log\nstate\n");
        assertOk(kvs(port, "version"), "3\n");
        assertOk(kvs(port, "wait", "3"), "3\n");
        assertOk(kvs(port, "put", "job.state=done", "--require-version", "1"), "4\n");
        assertFails(kvs(port, "put", "job.state=again", "--require-version", "1"),
                "conflict: 'job.state' is at version 4, not 1");
        assertFails(kvs(port, "wait", "99", "--timeout", "0"), "version 99 not reached");
        assertFails(kvs(port, "get", "job.missing"), "no key 'job.missing' in namespace 'primary'");
        assertFails(kvs(port, "get", "job"), "is a directory");
        assertFails(kvs(port, "version", "-N", "nope"), "no namespace 'nope'");

        KvsCli created = follow(port, "watch", "job.result", "--mode", "create");
        assertOk(kvs(port, "put", "job.result=42"), "5\n");
        assertOk(created.finish(), "v5 job.result = 42\nv5 ended: CREATED\n");
        assertOk(kvs(port, "watch", "job.log", "--mode", "append", "--count", "1"), "v5 job.log += started;done;\n");

        assertOk(kvs(port, "unlink", "job.log", "job.result"), "6\n");
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
    void putTakesSeveralPairsInOneCommitAndRawBytesFromStandardInput() throws Exception {
        int port = server().port();

        assertOk(kvs(port, "put", "a=1", "b.c=2", "e="), "1\n");
        assertOk(kvs(port, "get", "a", "b.c", "e"), "1\n2\n\n");
        assertOk(kvs(port, "getroot", "-s"), "1\n");

        byte[] bytes = {0, 'x', 0, '\n', (byte) 0xff, 0};
        KvsCli raw = KvsCli.start(port, bytes, "put", "-r", "bin=-", "label=-r reads only KEY=-");
        assertOk(raw.finish(), "2\n");
        KvsCli read = KvsCli.start(port, "get", "-r", "bin");
        assertThat(read.finish().exitCode()).isZero();
        assertThat(read.outBytes()).as("the bytes as they were, NULs included, no newline").isEqualTo(bytes);
        assertOk(kvs(port, "get", "label"), "-r reads only KEY=-\n");

        assertOk(kvs(port, "put", "-A", "a=x", "a=y"), "3\n");
        assertOk(kvs(port, "get", "a", "--at", "2"), "1\n");
        assertOk(kvs(port, "get", "a"), "1xy\n");
        assertFails(kvs(port, "put", "a=2", "a.b=3"), "'a' is a value, not a directory");
        assertOk(kvs(port, "get", "a"), "1xy\n");   // the failed commit wrote neither pair
        assertOk(kvs(port, "version"), "3\n");
    }

    @Test
    void symlinksDirectoriesCopiesAndMoves() throws Exception {
        int port = server().port();

        assertOk(kvs(port, "put", "d.x=1"), "1\n");
        assertOk(kvs(port, "link", "d.x", "d.l"), "2\n");
        assertOk(kvs(port, "get", "d.l"), "1\n");
        assertOk(kvs(port, "readlink", "d.l"), "d.x\n");
        assertFails(kvs(port, "readlink", "d.x"), "'d.x' is not a symlink in namespace 'primary'");

        assertOk(kvs(port, "namespace", "create", "other"), "");
        assertOk(kvs(port, "put", "-N", "other", "y=2"), "1\n");
        assertOk(kvs(port, "link", "-T", "other", "y", "d.o"), "3\n");
        assertOk(kvs(port, "get", "d.o"), "2\n");
        assertOk(kvs(port, "readlink", "d.o"), "other::y\n");
        assertOk(kvs(port, "readlink", "-o", "d.o"), "other\n");
        assertOk(kvs(port, "readlink", "-k", "d.o"), "y\n");

        assertOk(kvs(port, "link", "loop.b", "loop.a"), "4\n");
        assertOk(kvs(port, "link", "loop.a", "loop.b"), "5\n");
        assertFails(kvs(port, "get", "loop.a"), "followed more than 10 symlinks");
        assertOk(kvs(port, "link", "nowhere", "dangling"), "6\n");
        assertFails(kvs(port, "get", "dangling"), "it is a symlink to 'nowhere', which is missing");

        assertOk(kvs(port, "copy", "d", "c"), "7\n");
        assertOk(kvs(port, "put", "d.x=changed"), "8\n");
        assertOk(kvs(port, "get", "c.x", "c.l"), "1\nchanged\n");   // c.l still names d.x
        assertOk(kvs(port, "move", "c", "m"), "9\n");
        assertFails(kvs(port, "get", "c.x"), "no key 'c.x'");
        assertOk(kvs(port, "get", "m.x"), "1\n");
        assertFails(kvs(port, "move", "m", "m.inner"), "onto or into itself");
        assertFails(kvs(port, "copy", "gone", "here"), "'gone' is missing");
        assertOk(kvs(port, "mkdir", "e", "m.sub"), "10\n");

        assertOk(kvs(port, "ls", "-F"), "d.\ndangling@\ne.\nloop.\nm.\n");
        assertOk(kvs(port, "ls", "-R", "m"), "m:\nl\no\nsub\nx\n\nm.sub:\n");
        assertOk(kvs(port, "dir"), "d.\ndangling -> nowhere\ne.\nloop.\nm.\n");
        assertOk(kvs(port, "dir", "-R", "m"), "m.l -> d.x\nm.o -> other::y\nm.x = 1\n");
        assertOk(kvs(port, "dir", "-R", "-d", "d"), "d.l -> d.x\nd.o -> other::y\nd.x\n");
    }

    @Test
    void watchFlagsAsInFlux() throws Exception {
        int port = server().port();
        assertOk(kvs(port, "put", "k=a"), "1\n");

        KvsCli uniq = follow(port, "get", "-w", "-u", "-c", "3", "k");
        uniq.awaitOutput("a\n");
        for (String value : List.of("a", "b", "b", "c", "d")) {
            assertThat(kvs(port, "put", "k=" + value).exitCode()).isZero();
        }
        assertOk(uniq.finish(), "a\nb\nc\n");
        assertOk(kvs(port, "get", "-w", "-f", "-c", "1", "k"), "d\n");

        KvsCli created = follow(port, "get", "-W", "later");
        assertOk(kvs(port, "put", "later=now"), "7\n");
        assertOk(created.finish(), "now\n");

        KvsCli appended = follow(port, "get", "-w", "-A", "-W", "log");
        assertOk(kvs(port, "put", "-A", "log=one;"), "8\n");
        appended.awaitOutput("one;");
        assertOk(kvs(port, "append", "log", "two;"), "9\n");
        appended.awaitOutput("one;two;");
        assertOk(kvs(port, "put", "log=over"), "10\n");
        LauncherRun replaced = appended.finish();
        assertThat(replaced.out()).isEqualTo("one;two;");
        assertFails(replaced, "'log' was replaced at version 10: an append watch ends there");

        KvsCli watch = follow(port, "watch", "--waitcreate", "--uniq", "--count", "2", "w");
        assertOk(kvs(port, "put", "w=1"), "11\n");
        watch.awaitOutput("v11 w = 1\n");
        assertOk(kvs(port, "put", "w=1"), "12\n");
        assertOk(kvs(port, "put", "w=2"), "13\n");
        assertOk(watch.finish(), "v11 w = 1\nv13 w = 2\n");

        assertFails(kvs(port, "get", "-w", "nothing"), "no key 'nothing' in namespace 'primary' at version 13; -W waits for it");
    }

    @Test
    void eventlogsAppendPrintFollowAndWait() throws Exception {
        int port = server().port();

        assertOk(kvs(port, "eventlog", "append", "-t", "1.5", "job.ev", "submit", "{\"userid\": 5}"), "1\n");
        assertOk(kvs(port, "eventlog", "get", "job.ev"), "1.500000 submit userid=5\n");
        assertOk(kvs(port, "eventlog", "get", "-u", "job.ev"),
                "{\"timestamp\":1.500000,\"name\":\"submit\",\"context\":{\"userid\":5}}\n");

        KvsCli follower = follow(port, "eventlog", "get", "-w", "-c", "3", "job.ev");
        follower.awaitOutput("submit");
        assertOk(kvs(port, "eventlog", "append", "-t", "2", "job.ev", "start"), "2\n");
        KvsCli waiter = follow(port, "eventlog", "wait-event", "job.ev", "finish");
        assertOk(kvs(port, "eventlog", "append", "-t", "3", "job.ev", "finish", "{\"status\":0}"), "3\n");
        assertOk(follower.finish(), "1.500000 submit userid=5\n2.000000 start\n3.000000 finish status=0\n");
        assertOk(waiter.finish(), "3.000000 finish status=0\n");
        assertOk(kvs(port, "eventlog", "wait-event", "-v", "job.ev", "start"),
                "1.500000 submit userid=5\n2.000000 start\n");

        assertFails(kvs(port, "eventlog", "wait-event", "-t", "0.5", "job.ev", "never"),
                "no event 'never' in eventlog 'job.ev' within 0.5 s");
        assertFails(kvs(port, "eventlog", "get", "other.ev"), "no eventlog 'other.ev' in namespace 'primary'; -W waits for it");
        assertFails(kvs(port, "eventlog", "append", "job.ev", "bad", "not-json"),
                "an eventlog event's context must be a JSON object: not JSON");

        KvsCli created = follow(port, "eventlog", "get", "-W", "other.ev");
        assertOk(kvs(port, "eventlog", "append", "-t", "4", "other.ev", "first"), "4\n");
        assertOk(created.finish(), "4.000000 first\n");
        assertFails(kvs(port, "eventlog", "get", "job"), "is a directory");
    }

    @Test
    void namespacesHaveOwnersThatTheServerEnforces() throws Exception {
        Path users = Files.writeString(data.resolve("users"),
                "# name token\nalice tok-a\n\nbob tok-b\n");
        int port = server("--token", "own3r", "--users", users.toString()).port();

        assertOk(kvs(port, "namespace", "create", "-o", "alice", "--token", "own3r", "a-ns"), "");
        assertOk(kvs(port, "put", "-N", "a-ns", "k=1", "--token", "tok-a"), "1\n");
        assertOk(kvs(port, "get", "-N", "a-ns", "k", "--token", "tok-a"), "1\n");
        assertFails(kvs(port, "get", "-N", "a-ns", "k", "--token", "tok-b"),
                "user 'bob' may not use namespace 'a-ns': it belongs to 'alice'");
        assertFails(kvs(port, "put", "k=1", "--token", "tok-a"), "user 'alice' may not use namespace 'primary'");
        assertFails(kvs(port, "namespace", "create", "-o", "alice", "--token", "tok-a", "mine"),
                "only the store's owner creates and removes namespaces");
        assertOk(kvs(port, "getroot", "-N", "a-ns", "-o", "--token", "tok-a"), "alice\n");
        assertOk(kvs(port, "getroot", "-N", "a-ns", "--token", "tok-a"),
                "{\"namespace\":\"a-ns\",\"owner\":\"alice\",\"version\":1}\n");

        LauncherRun all = kvs(port, "namespace", "list", "--token", "own3r");
        assertThat(all.exitCode()).isZero();
        assertThat(all.out().lines().toList()).hasSize(3).first().asString().startsWith("NAMESPACE");
        assertThat(all.out()).containsPattern("(?m)^a-ns +alice +1$").containsPattern("(?m)^primary +\\S+ +0$");
        LauncherRun hers = kvs(port, "namespace", "list", "--token", "tok-a");
        assertThat(hers.out().lines().toList()).hasSize(2).last().asString().matches("a-ns +alice +1");

        assertOk(kvs(port, "namespace", "remove", "--token", "own3r", "a-ns"), "");
        assertFails(kvs(port, "version", "-N", "a-ns", "--token", "own3r"), "no namespace 'a-ns'");
        assertFails(kvs(port, "version", "--token", "nobody"), "authentication failed");
    }

    @Test
    void aServerWithATokenRefusesClientsWithoutIt() throws Exception {
        ServerExamplesTest.Example guarded = server("--token", "s3cret", "--fsync", "always");
        int port = guarded.port();

        assertOk(kvs(port, "put", "k=v", "--token", "s3cret"), "1\n");
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

        assertOk(kvs(port, "put", "k=over tls", "--token", "s3cret", "--tls-ca", cert.certificatePem().toString()),
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

        assertOk(kvs(port, "put", "k=with a certificate", "--tls-truststore", server.trustStore().toString(),
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
    }

    @Test
    void mistakesAreUsageErrorsThatNameTheCommandBeforeAnythingConnects() {
        String nowhere = "--connect=127.0.0.1:1";
        assertUsage(launch("kvs"), "name an operation; 'weft kvs --help' lists them", "weft kvs");
        assertUsage(launch("kvs", "put", "only-a-key", nowhere), "expected KEY=VALUE, got 'only-a-key'", "weft kvs put");
        assertUsage(launch("kvs", "put", "-r", "a=-", "b=-", nowhere), "-r reads standard input for one KEY=- only",
                "weft kvs put");
        assertUsage(launch("kvs", "put", "a=1", "b=2", "--require-version", "0", nowhere),
                "--require-version takes one KEY=VALUE, not 2", "weft kvs put");
        assertUsage(launch("kvs", "get", "-c", "2", "k", nowhere), "-c, -u, -A and -f watch a key: add -w",
                "weft kvs get");
        assertUsage(launch("kvs", "get", "-w", "--at", "3", "k", nowhere), "--at reads one version", "weft kvs get");
        assertUsage(launch("kvs", "get", "-w", "a", "b", nowhere), "-w and -W take one KEY, not 2", "weft kvs get");
        assertUsage(launch("kvs", "get", "-w", "-c", "0", "k", nowhere), "-c needs a positive count, not 0",
                "weft kvs get");
        assertUsage(launch("kvs", "watch", "k", "--mode", "bogus", nowhere),
                "--mode must be value, append, create or directory, not 'bogus'", "weft kvs watch");
        assertUsage(launch("kvs", "watch", "k", "-A", "--mode", "create", nowhere), "-A is --mode append",
                "weft kvs watch");
        assertUsage(launch("kvs", "eventlog"), "name append, get or wait-event", "weft kvs eventlog");
        assertUsage(launch("kvs", "eventlog", "wait-event", "-t", "-1", "k", "x", nowhere),
                "-t needs a number of seconds of at least 0", "weft kvs eventlog wait-event");
        assertUsage(launch("kvs", "namespace"), "name create, remove or list", "weft kvs namespace");
        assertUsage(launch("kvs", "readlink", "-o", "-k", "l", nowhere), "mutually exclusive", "weft kvs readlink");
    }

    @Test
    void helpListsEveryCommand() {
        LauncherRun help = launch("kvs", "--help");
        assertThat(help.exitCode()).isZero();
        for (String command : List.of("get", "put", "append", "unlink", "mkdir", "link", "readlink", "copy", "move",
                "ls", "dir", "getroot", "version", "wait", "watch", "namespace", "eventlog")) {
            assertThat(help.out()).containsPattern("(?m)^ +" + command + " ");
        }
        assertThat(launch("kvs", "eventlog", "--help").out()).contains("append", "get", "wait-event");
        assertThat(launch("kvs", "namespace", "--help").out()).contains("create", "remove", "list");
    }
}
