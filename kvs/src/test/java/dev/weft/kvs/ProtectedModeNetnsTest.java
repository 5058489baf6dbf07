package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected mode end to end, from another host: a network namespace this test makes, joined to the
 * test's own by a veth pair with addresses of its own, in 198.18.0.0/15 (RFC 2544's benchmarking
 * range, never routed). The server listens on its end of the pair, never on the host's real
 * interfaces; the client is a small program run inside the namespace. Making a namespace needs root
 * and iproute2: where it cannot be made this class is skipped, unless {@code CI=true}, where it fails.
 */
class ProtectedModeNetnsTest {
    private static final long CHILD_SECONDS = 120;
    /** The client: connects, sends the frames given in hex, half-closes, prints its address and all it reads. */
    private static final String CLIENT = """
            import java.net.*;
            import java.util.HexFormat;
            public class NetnsClient {
                public static void main(String[] a) throws Exception {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])), 10_000);
                        s.setSoTimeout(30_000);
                        s.getOutputStream().write(HexFormat.of().parseHex(a[2]));
                        s.shutdownOutput();
                        byte[] all = s.getInputStream().readAllBytes();
                        System.out.print(s.getLocalAddress().getHostAddress() + " " + HexFormat.of().formatHex(all));
                    }
                }
            }
            """;

    private static Netns netns;
    @TempDir
    static Path dir;
    private Weft weft;
    private Kvs kvs;

    @BeforeAll
    static void makeNamespace() throws Exception {
        try {
            netns = Netns.create();
        } catch (IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true, so this test must run, but no network namespace could be made: "
                        + e.getMessage(), e);
            }
            Assumptions.abort("no network namespace could be made (needs root and iproute2): " + e.getMessage());
        }
        Files.writeString(dir.resolve("NetnsClient.java"), CLIENT);
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (netns != null) {
            netns.close();
        }
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

    private KvsServer serve(KvsServerOptions options) throws IOException {
        return KvsServer.start(weft, kvs, options.withAddress(new InetSocketAddress(netns.hostAddress(), 0)));
    }

    @Test
    void aServerWithoutATokenRefusesAClientOnAnotherHostWithTheClearError() throws Exception {
        KvsServer server = serve(KvsServerOptions.loopback(0));

        Heard heard = fromTheNamespace(server, new Wire.Out(Wire.VERSION, 1).str(Kvs.PRIMARY).frame());

        assertThat(heard.from()).as("the client's address: another host").isEqualTo(netns.namespaceAddress());
        assertThat(heard.frames()).as("one error frame; the request is never answered").hasSize(1);
        assertThat(heard.frames().get(0).id).isZero();
        assertThat(Wire.error(heard.frames().get(0))).isInstanceOf(AuthenticationException.class)
                .hasMessageStartingWith("authentication failed: this server has no token; set one or start it with "
                        + "--insecure");
    }

    @Test
    void aServerWithATokenButNoTlsRefusesTheTokenFromAnotherHost() throws Exception {
        KvsServer server = serve(KvsServerOptions.loopback(0).withToken("s3cret"));
        byte[] auth = new Wire.Out(Wire.AUTH, 1).bytes("s3cret".getBytes(StandardCharsets.UTF_8)).frame();

        Heard heard = fromTheNamespace(server, auth);

        assertThat(heard.frames()).hasSize(1);
        assertThat(Wire.error(heard.frames().get(0))).isInstanceOf(AuthenticationException.class)
                .hasMessage("authentication failed: " + KvsAdmission.TOKEN_IN_CLEAR);
    }

    @Test
    void anInsecureServerServesTheClientOnAnotherHost() throws Exception {
        kvs.primary().put("k", "v");
        KvsServer server = serve(KvsServerOptions.loopback(0).withInsecure(true));

        Heard heard = fromTheNamespace(server, new Wire.Out(Wire.VERSION, 7).str(Kvs.PRIMARY).frame());

        assertThat(heard.frames()).hasSize(1);
        Wire.In reply = heard.frames().get(0);
        assertThat(reply.type).isEqualTo(Wire.R_VERSION);
        assertThat(reply.id).isEqualTo(7);
        assertThat(reply.i64()).isEqualTo(1);
    }

    /** What the client in the namespace heard, and from which address it spoke. */
    record Heard(String from, List<Wire.In> frames) {
    }

    private Heard fromTheNamespace(KvsServer server, byte[] request) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = Netns.run(List.of("ip", "netns", "exec", netns.name(), java, dir.resolve("NetnsClient.java").toString(),
                server.address().getAddress().getHostAddress(), Integer.toString(server.port()),
                HexFormat.of().formatHex(request)));
        int space = out.indexOf(' ');
        assertThat(space).as("the client's output: " + out).isPositive();
        return new Heard(out.substring(0, space), ProtectedModeTest.frames(HexFormat.of().parseHex(out.substring(space + 1).strip())));
    }

    /** A network namespace joined to this one by a veth pair, with a /30 of its own. */
    record Netns(String name, String hostInterface, String hostAddress, String namespaceAddress) implements AutoCloseable {
        static Netns create() throws IOException, InterruptedException {
            String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
            String existing = run(List.of("ip", "-4", "addr", "show"));
            int subnet;
            do {
                subnet = ThreadLocalRandom.current().nextInt(256);
            } while (existing.contains("198.18." + subnet + "."));
            Netns n = new Netns("weft-test-" + id, "wfth" + id, "198.18." + subnet + ".1", "198.18." + subnet + ".2");
            String inside = "wftn" + id;
            try {
                run(List.of("ip", "netns", "add", n.name));
                run(List.of("ip", "link", "add", n.hostInterface, "type", "veth", "peer", "name", inside));
                run(List.of("ip", "link", "set", inside, "netns", n.name));
                run(List.of("ip", "addr", "add", n.hostAddress + "/30", "dev", n.hostInterface));
                run(List.of("ip", "link", "set", n.hostInterface, "up"));
                run(List.of("ip", "-n", n.name, "addr", "add", n.namespaceAddress + "/30", "dev", inside));
                run(List.of("ip", "-n", n.name, "link", "set", inside, "up"));
                run(List.of("ip", "-n", n.name, "link", "set", "lo", "up"));
            } catch (IOException e) {
                n.close();
                throw e;
            }
            return n;
        }

        /** Removes the namespace (and with it both ends of the veth pair). */
        @Override
        public void close() throws IOException, InterruptedException {
            List<String> failures = new ArrayList<>();
            for (List<String> command : List.of(List.of("ip", "netns", "del", name),
                    List.of("ip", "link", "del", hostInterface))) {
                try {
                    run(command);
                } catch (IOException e) {
                    failures.add(e.getMessage());
                }
            }
            String links = run(List.of("ip", "link", "show"));
            if (links.contains(hostInterface)) {
                throw new IOException("the test's veth " + hostInterface + " is still there: " + failures);
            }
        }

        static String run(List<String> command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish within " + CHILD_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(command + " failed (" + p.exitValue() + "): " + output.strip());
            }
            return output;
        }
    }
}
