package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** forEach handles every message, drains at end of input, passes the end on and returns. */
class ForEachTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Collects what forEach hands it; a small inbox, so the producer is pushed back. */
    static final class Collect extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 4);
        final List<Integer> seen = new CopyOnWriteArrayList<>();
        private final int failAt;

        Collect(int failAt) {
            this.failAt = failAt;
        }

        @Override
        protected void run() throws Exception {
            forEach(inbox, n -> {
                if (n == failAt) {
                    throw new IllegalArgumentException("planned failure at " + n);
                }
                seen.add(n);
            });
        }
    }

    @Test
    void everyMessageIsHandledOnceInOrderUnderBackPressure() throws Exception {
        int count = 20_000;
        try (Weft weft = Weft.start()) {
            EndOfInputTest.Numbers numbers = new EndOfInputTest.Numbers(count);
            Collect collect = new Collect(-1);
            EndOfInputTest.Recorder recorder = new EndOfInputTest.Recorder();
            weft.pipe(numbers.outbox, collect.inbox);
            weft.link(collect.signal, recorder.signals);
            weft.spawn(recorder);
            weft.spawn(collect);
            weft.spawn(numbers);

            assertThat(collect.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(collect.seen).isEqualTo(IntStream.range(0, count).boxed().toList());
            recorder.shutdown();
            recorder.join(WAIT);
            assertThat(recorder.seen).containsExactly(new ProducerFinished(collect));
        }
    }

    @Test
    void endOfInputIsActedOnOnlyAfterWhatIsQueued() throws Exception {
        try (Weft weft = Weft.start()) {
            Collect collect = new Collect(-1);
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                assertThat(collect.inbox.trySend(i)).isTrue();
                sent.add(i);
            }
            collect.control.send(new ProducerFinished(collect));   // already there when it starts
            weft.spawn(collect);

            assertThat(collect.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(collect.seen).isEqualTo(sent);
        }
    }

    @Test
    void shutdownIsHandledAfterWhatIsQueuedAndPassedOn() throws Exception {
        try (Weft weft = Weft.start()) {
            Collect collect = new Collect(-1);
            EndOfInputTest.Recorder recorder = new EndOfInputTest.Recorder();
            weft.link(collect.signal, recorder.signals);
            for (int i = 0; i < 3; i++) {
                assertThat(collect.inbox.trySend(i)).isTrue();
            }
            Shutdown shutdown = new Shutdown();
            collect.control.send(shutdown);
            weft.spawn(recorder);
            weft.spawn(collect);

            assertThat(collect.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(collect.seen).containsExactly(0, 1, 2);
            recorder.shutdown();
            recorder.join(WAIT);
            assertThat(recorder.seen).containsExactly(shutdown);
        }
    }

    @Test
    void aHandlerThatThrowsFailsTheComponentWithItsCause() throws Exception {
        try (Weft weft = Weft.start()) {
            EndOfInputTest.Numbers numbers = new EndOfInputTest.Numbers(100);
            Collect collect = new Collect(7);
            weft.pipe(numbers.outbox, collect.inbox);
            weft.spawn(collect);
            weft.spawn(numbers);

            Terminated end = collect.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(IllegalArgumentException.class).hasMessage("planned failure at 7");
            assertThat(collect.seen).containsExactly(0, 1, 2, 3, 4, 5, 6);
        }
    }
}
