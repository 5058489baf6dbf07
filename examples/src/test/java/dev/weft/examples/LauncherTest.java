package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LauncherTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Launcher.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void listNamesEveryExampleWithItsDescription() {
        Run run = launch("list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("ping-pong").contains("round trips");
    }

    @Test
    void pingPongRunsTheRequestedRoundTripsAndReportsTheRate() {
        Run run = launch("run", "ping-pong", "--rounds", "10000");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("10,000 round trips in").contains("round trips/s");
    }

    @Test
    void eventLoopExchangesMessagesBothWaysWithASelectorLoopAndExitsCleanly() {
        Run run = launch("run", "event-loop", "--count", "5");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("loop: read 5 from the pipe").contains("loop: 5 squared is 25")
                .contains("all 5 results in").contains("bridge finished");
    }

    @Test
    void eventLoopKeepsUpWithManyNumbersWithoutBlockingTheLoop() {
        Run run = launch("run", "event-loop", "--count", "100000");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("all 100,000 results in").doesNotContain("squared is");
    }

    @Test
    void anUnknownExampleIsAClearErrorWithNonZeroExit() {
        Run run = launch("run", "no-such-example");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("no-such-example");
    }

    @Test
    void eachExampleHasHelp() {
        Run run = launch("run", "ping-pong", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--rounds");
    }
}
