package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Await;
import dev.weft.actors.Collector;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A composite reports the child that failed first, not the failures that child's end caused upstream. */
class CompositeFailureOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ROUNDS = 200;

    @Test
    void aPipelineFailsWithTheCauseOfTheStageThatFailedFirst() throws Exception {
        try (Weft weft = Weft.start()) {
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch breakNow = new CountDownLatch(1);
                Stage<Integer, Integer> upstream = Stage.map(Integer.class, Integer.class, n -> n);
                Stage<Integer, Integer> failing = Stage.map(Integer.class, Integer.class, n -> {
                    await(breakNow);
                    throw new IllegalStateException("the failing stage broke");
                });
                Pipeline<Integer, Integer> pipeline = Pipeline.named("p" + round, Integer.class, Integer.class,
                        upstream, failing);
                pipeline.outbox.linkTo(weft.spawn(new Collector<>(Integer.class)).inbox);
                weft.spawn(pipeline);
                CompletableFuture<Void> fed = CompletableFuture.runAsync(() -> feed(pipeline));
                Await.condition(
                        () -> failing.inbox.size() == failing.inbox.capacity(),
                        "the upstream stage to fill the failing stage's inbox");

                breakNow.countDown();

                Terminated end = pipeline.join(WAIT);
                assertThat(end.state()).isEqualTo(ComponentState.FAILED);
                assertThat(end.cause()).as("round %d", round)
                        .isInstanceOf(ChildFailedException.class)
                        .hasMessageContaining(failing.name())
                        .hasRootCauseMessage("the failing stage broke");
                fed.join();
            }
        }
    }

    /** Sends into the pipeline until it refuses. */
    private static void feed(Pipeline<Integer, Integer> pipeline) {
        try {
            for (int n = 0; ; n++) {
                pipeline.inbox.send(n);
            }
        } catch (InboxClosedException ended) {
            // The pipeline has ended.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
