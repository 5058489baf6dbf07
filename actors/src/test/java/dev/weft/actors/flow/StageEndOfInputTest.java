package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StageEndOfInputTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int MESSAGES = 1_000;

    /** Adds up what it takes and sends the sum when its input ends: it holds data until then. */
    static final class Sum extends Stage<Integer, Integer> {
        final AtomicInteger endsSeen = new AtomicInteger();
        private int sum;
        private int taken;
        volatile int takenAtEnd = -1;

        Sum() {
            super(Integer.class, Integer.class);
        }

        @Override
        protected void onMessage(Integer n) {
            sum += n;
            taken++;
        }

        @Override
        protected void onEndOfInput() throws InterruptedException {
            endsSeen.incrementAndGet();
            takenAtEnd = taken;
            outbox.send(sum);
        }
    }

    @Test
    void theHookRunsOnceAfterEveryQueuedMessageAndItsSendsComeBeforeProducerFinished() throws Exception {
        try (Weft weft = Weft.start()) {
            List<Integer> numbers = IntStream.rangeClosed(1, MESSAGES).boxed().toList();
            Source<Integer> source = new Source<>(Integer.class, numbers);
            Sum sum = new Sum();
            Collector<Integer> sink = new Collector<>(Integer.class);
            weft.link(source.outbox, sum.inbox);
            weft.link(source.signal, sum.control);
            weft.link(sum.outbox, sink.inbox);
            weft.link(sum.signal, sink.control);
            weft.spawn(sink);
            weft.spawn(sum);
            weft.spawn(source);

            sink.finished.get();

            assertThat(List.copyOf(sink.seen)).containsExactly(MESSAGES * (MESSAGES + 1) / 2);
            assertThat(sink.signals).as("the sum came first, then the news").singleElement()
                    .isInstanceOf(ProducerFinished.class);
            assertThat(sum.takenAtEnd).as("every message queued before ProducerFinished was handled first")
                    .isEqualTo(MESSAGES);
            assertThat(sum.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(sum.endsSeen).hasValue(1);
        }
    }

    @Test
    void shutdownEndsTheStageWithoutTheHookAndPassesTheShutdownOn() throws Exception {
        try (Weft weft = Weft.start()) {
            Sum sum = new Sum();
            Collector<Integer> sink = new Collector<>(Integer.class);
            weft.link(sum.outbox, sink.inbox);
            weft.link(sum.signal, sink.control);
            weft.spawn(sink);
            weft.spawn(sum);
            sum.inbox.send(5);

            sum.control.send(new Shutdown());

            sink.finished.get();
            assertThat(sink.signals).singleElement().isInstanceOf(Shutdown.class);
            assertThat(sink.seen).as("the held sum is dropped").isEmpty();
            assertThat(sum.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(sum.endsSeen).hasValue(0);
        }
    }

    @Test
    void aHookThatThrowsFailsTheStageAndPassesNoProducerFinishedOn() throws Exception {
        try (Weft weft = Weft.start()) {
            Stage<String, String> refuses = new Stage<>(String.class, String.class) {
                @Override
                protected void onMessage(String s) {
                }

                @Override
                protected void onEndOfInput() {
                    throw new IllegalStateException("input ended too early");
                }
            };
            Collector<String> sink = new Collector<>(String.class);
            weft.link(refuses.outbox, sink.inbox);
            weft.link(refuses.signal, sink.control);
            weft.spawn(sink);
            weft.spawn(refuses);

            refuses.control.send(new ProducerFinished(null));

            Terminated end = refuses.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).hasMessage("input ended too early");
            sink.control.send(new Shutdown());                 // queued behind anything the stage sent
            sink.finished.get();
            assertThat(sink.signals).as("only the test's own Shutdown").singleElement().isInstanceOf(Shutdown.class);
        }
    }
}
