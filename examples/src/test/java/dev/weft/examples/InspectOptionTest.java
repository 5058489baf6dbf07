package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

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

    @Test
    void theInspectOptionsChooseWhoMayReadTheInspector() {
        assertThat(parsed("--inspect-token=").access()).as("no token, not insecure")
                .hasToString("InspectAccess[protected mode]");
        assertThat(parsed("--inspect-token", "s3cret").access()).hasToString("InspectAccess[token]");
        assertThat(parsed("--inspect-token=", "--inspect-insecure").access()).hasToString("InspectAccess[insecure]");
    }

    @Test
    void aTokenAndInsecureTogetherOrABadTokenAreClearErrors() {
        InspectOption both = parsed("--inspect-token", "s3cret", "--inspect-insecure");
        InspectOption spaced = parsed("--inspect-token", "two words");

        assertThatThrownBy(both::access).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--inspect-insecure, not both");
        assertThatThrownBy(spaced::access).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--inspect-token: ").hasMessageContaining("visible ASCII without spaces");
    }

    @Test
    void anExampleWithATokenSaysHowToOpenThePageWithoutPrintingTheToken() {
        StringWriter out = new StringWriter();
        CommandLine cli = Launcher.commandLine();
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("run", "ping-pong", "--rounds", "10", "--inspect-port", "0",
                "--inspect-token", "s3cret");

        assertThat(code).isZero();
        assertThat(out.toString())
                .containsPattern("Inspector: (http://127\\.0\\.0\\.1:\\d+/) \\(open it as \\1\\?token=<token>\\)")
                .doesNotContain("s3cret");
    }

    /** The inspect options of {@code run ping-pong} parsed from {@code args}. */
    private static InspectOption parsed(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "ping-pong"));
        all.addAll(List.of(args));
        ParseResult run = Launcher.commandLine().parseArgs(all.toArray(String[]::new));
        PingPongExample example = (PingPongExample) run.subcommand().subcommand().commandSpec().userObject();
        return example.inspect;
    }
}
