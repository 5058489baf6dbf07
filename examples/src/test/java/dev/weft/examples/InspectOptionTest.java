package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InspectOptionTest {

    @Test
    void everyExampleTakesTheInspectPortOption() {
        CommandLine run = Launcher.commandLine().getSubcommands().get("run");

        assertThat(run.getSubcommands()).isNotEmpty().allSatisfy((name, example) ->
                assertThat(example.getCommandSpec().findOption("--inspect-port"))
                        .as("example '%s' takes --inspect-port", name).isNotNull());
    }

    @Test
    void anExampleServesTheInspectorWhenAsked() {
        StringWriter out = new StringWriter();
        CommandLine cli = Launcher.commandLine();
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("run", "ping-pong", "--rounds", "1000", "--inspect-port", "0");

        assertThat(code).isZero();
        assertThat(out.toString()).containsPattern("Inspector: http://127\\.0\\.0\\.1:\\d+/");
    }

    @Test
    void aTakenInspectPortIsAClearErrorWithNonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            CommandLine cli = Launcher.commandLine();
            cli.setErr(new PrintWriter(err));

            int code = cli.execute("run", "ping-pong", "--inspect-port", String.valueOf(taken.getLocalPort()));

            assertThat(code).isNotZero();
            assertThat(err.toString()).contains("cannot serve the inspector on");
        }
    }
}
