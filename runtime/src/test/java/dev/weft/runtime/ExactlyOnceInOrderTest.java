package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ExactlyOnceInOrderTest {
    private static final int PRODUCERS = 4;
    private static final int MESSAGES_PER_PRODUCER = 1_000_000;
    private static final int CAPACITY = 64;

    record Numbered(int producer, int sequence) {
    }

    static final class Producer extends Component {
        final Outbox<Numbered> outbox = outbox(Numbered.class);
        private final int id;

        Producer(int id) {
            this.id = id;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < MESSAGES_PER_PRODUCER; i++) {
                outbox.send(new Numbered(id, i));
            }
        }
    }

    static final class Checker extends Component {
        final Inbox<Numbered> inbox = inbox("inbox", Numbered.class, CAPACITY);
        final CompletableFuture<long[]> result = new CompletableFuture<>();
        private final Watchdog watchdog;

        Checker(Watchdog watchdog) {
            this.watchdog = watchdog;
        }

        @Override
        protected void run() throws InterruptedException {
            long[] next = new long[PRODUCERS];
            long total = 0;
            while (total < (long) PRODUCERS * MESSAGES_PER_PRODUCER) {
                Numbered m = inbox.receive();
                if (m.sequence() != next[m.producer()]) {
                    result.completeExceptionally(new AssertionError("producer " + m.producer() + ": expected "
                            + next[m.producer()] + " but got " + m.sequence()));
                    return;
                }
                next[m.producer()]++;
                total++;
                if ((total & 0xFFFF) == 0) {
                    watchdog.progress().set(total);
                }
            }
            Numbered extra = inbox.receive(Duration.ofMillis(100));
            if (extra != null) {
                result.completeExceptionally(new AssertionError("unexpected extra message " + extra));
                return;
            }
            result.complete(next);
        }
    }

    @Test
    void fourProducersDeliverEveryMessageOnceAndInOrderThroughASmallInbox() throws Exception {
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(20))) {
            Checker checker = weft.spawn(new Checker(watchdog));
            List<Producer> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                Producer producer = new Producer(p);
                producer.outbox.linkTo(checker.inbox);
                producers.add(weft.spawn(producer));
            }

            long[] counts = watchdog.await(checker.result);

            assertThat(counts).as("messages received per producer").containsOnly(MESSAGES_PER_PRODUCER);
            assertThat(checker.inbox.capacity()).isEqualTo(CAPACITY);
            for (Producer producer : producers) {
                assertThat(producer.join().state()).isEqualTo(ComponentState.FINISHED);
            }
            assertThat(weft.meterRegistry().get("weft.messages.received").functionCounter().count())
                    .isEqualTo((double) PRODUCERS * MESSAGES_PER_PRODUCER);
        }
    }
}
