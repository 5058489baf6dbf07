package dev.weft.examples;

import static dev.weft.examples.LauncherRun.launch;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LauncherTest {

    @Test
    void listNamesEveryExampleWithItsDescription() {
        LauncherRun run = launch("list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("ping-pong").contains("round trips");
    }

    @Test
    void pingPongRunsTheRequestedRoundTripsAndReportsTheRate() {
        LauncherRun run = launch("run", "ping-pong", "--rounds", "10000");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("10,000 round trips in").contains("round trips/s");
    }

    @Test
    void eventLoopExchangesMessagesBothWaysWithASelectorLoopAndExitsCleanly() {
        LauncherRun run = launch("run", "event-loop", "--count", "5");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("loop: read 5 from the pipe").contains("loop: 5 squared is 25")
                .contains("all 5 results in").contains("bridge finished");
    }

    @Test
    void eventLoopKeepsUpWithManyNumbersWithoutBlockingTheLoop() {
        LauncherRun run = launch("run", "event-loop", "--count", "100000");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("all 100,000 results in").doesNotContain("squared is");
    }

    @Test
    void anUnknownExampleIsAClearErrorWithNonZeroExit() {
        LauncherRun run = launch("run", "no-such-example");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("no-such-example");
    }

    @Test
    void eachExampleHasHelp() {
        LauncherRun run = launch("run", "ping-pong", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--rounds");
    }
}
