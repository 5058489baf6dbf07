package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CompositionExamplesTest {

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
    void wordCountPrintsTheMostFrequentWordsOfTheGeneratedText() {
        Run run = launch("run", "word-count", "--lines", "1000", "--top", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "the 3 most frequent words in 1,000 lines:",
                "    1000 the",
                "     500 dog",
                "     500 fox");
    }

    @Test
    void supervisedRestartsTheCrashedWorkerWithGrowingBackOffAndEndsByItself() {
        Run run = launch("run", "supervised", "--jobs", "15", "--crash-every", "7");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("started worker-1")
                .contains("job  6 ->   36  (worker-1)")
                .contains("worker-1 failed: job 7 is cursed")
                .contains("restarting worker in 10 ms")
                .contains("started worker-2")
                .contains("job  8 ->   64  (worker-2)")
                .contains("worker-2 failed: job 14 is cursed")
                .contains("restarting worker in 20 ms")
                .contains("job 15 ->  225  (worker-3)")
                .contains("15 jobs: 13 done, 2 lost to crashes, the worker was restarted 2 times");
    }

    @Test
    void bothExamplesAreListed() {
        Run run = launch("list");

        assertThat(run.out()).contains("word-count").contains("supervised");
    }
}
