package dev.weft.examples;

import static dev.weft.examples.LauncherRun.launch;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompositionExamplesTest {

    @Test
    void wordCountPrintsTheMostFrequentWordsOfTheGeneratedText() {
        LauncherRun run = launch("run", "word-count", "--lines", "1000", "--top", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "the 3 most frequent words in 1,000 lines:",
                "    1000 the",
                "     500 dog",
                "     500 fox");
    }

    @Test
    void supervisedRestartsTheCrashedWorkerWithGrowingBackOffAndEndsByItself() {
        LauncherRun run = launch("run", "supervised", "--jobs", "15", "--crash-every", "7");

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
        LauncherRun run = launch("list");

        assertThat(run.out()).contains("word-count").contains("supervised");
    }
}
