package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ManyComponentsTest {
    private static final int COMPONENTS = 100_000;

    static final class OneShot extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final int number;

        OneShot(int number) {
            this.number = number;
        }

        @Override
        protected void run() throws InterruptedException {
            outbox.send(number);
        }
    }

    static final class Collector extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final CompletableFuture<BitSet> seen = new CompletableFuture<>();
        private final Watchdog watchdog;

        Collector(Watchdog watchdog) {
            this.watchdog = watchdog;
        }

        @Override
        protected void run() throws InterruptedException {
            BitSet numbers = new BitSet(COMPONENTS);
            for (int i = 0; i < COMPONENTS; i++) {
                int n = inbox.receive();
                if (numbers.get(n)) {
                    seen.completeExceptionally(new AssertionError("duplicate " + n));
                    return;
                }
                numbers.set(n);
                watchdog.progress().incrementAndGet();
            }
            seen.complete(numbers);
        }
    }

    @Test
    void aHundredThousandComponentsEachDeliverOneMessage() throws Exception {
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(20))) {
            Collector collector = weft.spawn(new Collector(watchdog));
            for (int i = 0; i < COMPONENTS; i++) {
                OneShot shot = new OneShot(i);
                shot.outbox.linkTo(collector.inbox);
                weft.spawn(shot);
            }

            BitSet seen = watchdog.await(collector.seen);

            assertThat(seen.cardinality()).isEqualTo(COMPONENTS);
            assertThat(seen.nextClearBit(0)).isEqualTo(COMPONENTS);
            assertThat(weft.meterRegistry().get("weft.components.spawned").functionCounter().count())
                    .isEqualTo(COMPONENTS + 1.0);
        }
    }
}
