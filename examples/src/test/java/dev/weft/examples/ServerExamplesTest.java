package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.util.concurrent.locks.LockSupport;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the server examples as the launcher would (a child JVM on this test's class path), talks to
 * them over real sockets, and stops them the way Ctrl-C does (SIGTERM runs the shutdown hook).
 */
class ServerExamplesTest {
    private static final Pattern LISTENING = Pattern.compile("listening on ([^:]+):(\\d+)");
    private static final long WAIT_SECONDS = 30;

    private final List<Example> running = new ArrayList<>();

    /** A launcher child process; its output goes to a file, read as it grows. */
    static final class Example {
        final Process process;
        final Path output;
        private int consumed;
        final StringBuilder transcript = new StringBuilder();

        Example(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
            command.addAll(List.of(args));
            output = Files.createTempFile("weft-example", ".out");
            output.toFile().deleteOnExit();
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        }

        /** Waits for a line containing {@code text} and returns it. */
        String awaitLine(String text) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            for (;;) {
                List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
                while (consumed < lines.size()) {
                    String line = lines.get(consumed++);
                    transcript.append(line).append('\n');
                    if (line.contains(text)) {
                        return line;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no line with '" + text + "' in time; output so far:\n" + transcript);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }

        int port() throws IOException {
            Matcher m = LISTENING.matcher(awaitLine("listening on"));
            assertThat(m.find()).isTrue();
            return Integer.parseInt(m.group(2));
        }

        /** Sends SIGTERM, as Ctrl-C would, and waits for the JVM to exit after its shutdown hook. */
        void interrupt() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("the example exits").isTrue();
        }
    }

    @AfterEach
    void killLeftovers() {
        running.forEach(e -> e.process.destroyForcibly());
    }

    private Example launch(String... args) throws IOException {
        Example example = new Example(args);
        running.add(example);
        return example;
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return socket;
    }

    private static String exchange(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    @Test
    void listNamesTheServerExamples() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = Launcher.commandLine();
        cli.setOut(new java.io.PrintWriter(out));

        assertThat(cli.execute("list")).isZero();
        assertThat(out.toString()).contains("echo").contains("chat").contains("proxy");
    }

    @Test
    void runEchoServesARealSocketClientAndStopsCleanlyOnCtrlC() throws Exception {
        Example echo = launch("run", "echo", "--port", "0");
        int port = echo.port();

        try (Socket client = connect(port)) {
            assertThat(exchange(client, "hello, weft\n")).isEqualTo("hello, weft\n");
            echo.interrupt();
            assertThat(client.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
        }
        echo.awaitLine("shutting down");
        echo.awaitLine("stopped cleanly");
    }

    @Test
    void runChatSendsEachLineToEveryOtherClient() throws Exception {
        Example chat = launch("run", "chat", "--port", "0");
        int port = chat.port();

        try (Socket alice = connect(port); Socket bob = connect(port); Socket carol = connect(port)) {
            // The welcome line proves each client has joined before the real test lines.
            BufferedReader aliceIn = reader(alice);
            BufferedReader bobIn = reader(bob);
            BufferedReader carolIn = reader(carol);
            for (BufferedReader in : List.of(aliceIn, bobIn, carolIn)) {
                assertThat(in.readLine()).startsWith("* welcome: ");
            }

            alice.getOutputStream().write("from alice\n".getBytes(StandardCharsets.UTF_8));
            assertThat(bobIn.readLine()).isEqualTo("from alice");
            assertThat(carolIn.readLine()).isEqualTo("from alice");
            bob.getOutputStream().write("from bob\n".getBytes(StandardCharsets.UTF_8));
            assertThat(aliceIn.readLine()).as("alice gets bob's line, not her own").isEqualTo("from bob");
            assertThat(carolIn.readLine()).isEqualTo("from bob");

            carol.getOutputStream().write("bye from carol, no newline".getBytes(StandardCharsets.UTF_8));
            carol.shutdownOutput();
            assertThat(aliceIn.readLine()).as("a last line without \\n still counts").isEqualTo("bye from carol, no newline");
            assertThat(bobIn.readLine()).isEqualTo("bye from carol, no newline");
            assertThat(carolIn.readLine()).as("carol's connection ends once she is done").isNull();
        }
        chat.interrupt();
        chat.awaitLine("stopped cleanly");
    }

    @Test
    void runChatClosesTheConnectionOfAClientWhoseLineIsTooLongAndOnlyThatOne() throws Exception {
        Example chat = launch("run", "chat", "--port", "0");
        int port = chat.port();

        try (Socket flooder = connect(port); Socket bob = connect(port)) {
            BufferedReader flooderIn = reader(flooder);
            BufferedReader bobIn = reader(bob);
            assertThat(flooderIn.readLine()).startsWith("* welcome: ");
            assertThat(bobIn.readLine()).startsWith("* welcome: ");

            // MAX_LINE + 1 bytes might still be a line ending in "\r\n"; one more cannot be
            flooder.getOutputStream().write("x".repeat(ChatExample.MAX_LINE + 2).getBytes(StandardCharsets.UTF_8));

            assertThat(chat.awaitLine("a line longer than the maximum of " + ChatExample.MAX_LINE + " bytes"))
                    .as("the log names the connection").contains("lines-decoder<-/127.0.0.1:" + flooder.getLocalPort());
            try {
                assertThat(flooderIn.readLine()).as("the flooder's connection is closed").isNull();
            } catch (java.net.SocketException reset) {
                // closed with bytes unread: a reset says so too
            }
            try (Socket carol = connect(port)) {
                BufferedReader carolIn = reader(carol);
                assertThat(carolIn.readLine()).startsWith("* welcome: ");
                carol.getOutputStream().write("hi bob\n".getBytes(StandardCharsets.UTF_8));
                assertThat(bobIn.readLine()).as("bob is still in the room").isEqualTo("hi bob");
            }
        }
        chat.interrupt();
        chat.awaitLine("stopped cleanly");
    }

    @Test
    void runProxyRelaysBothWaysToItsTarget() throws Exception {
        Example echo = launch("run", "echo", "--port", "0");
        int echoPort = echo.port();
        Example proxy = launch("run", "proxy", "--port", "0", "--target", "127.0.0.1:" + echoPort);
        int proxyPort = proxy.port();

        try (Socket client = connect(proxyPort)) {
            assertThat(exchange(client, "through the proxy\n")).isEqualTo("through the proxy\n");
            client.shutdownOutput();                               // the half-close travels to the echo server
            assertThat(client.getInputStream().read()).as("and its end of stream comes back").isEqualTo(-1);
        }
        proxy.interrupt();
        echo.interrupt();
        proxy.awaitLine("stopped cleanly");
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }
}
