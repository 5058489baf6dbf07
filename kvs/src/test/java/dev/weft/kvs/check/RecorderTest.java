package dev.weft.kvs.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecorderTest {
    private static final int THREADS = 8;
    private static final int OPS_PER_THREAD = 2_000;

    @Test
    void manyThreadsRecordEveryOperationOnceWithTheirOwnOrderKept() throws Exception {
        Recorder recorder = new Recorder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int client = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < OPS_PER_THREAD; n++) {
                    recorder.invoke(client, Call.Write.put("k", "c" + client + "." + n)).committed(n);
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(60))).isTrue();
        }

        History h = recorder.history();
        assertThat(h.ops()).hasSize(THREADS * OPS_PER_THREAD);
        assertThat(h.ops().stream().map(Op::id).distinct()).hasSize(THREADS * OPS_PER_THREAD);
        for (int t = 0; t < THREADS; t++) {
            int client = t;
            List<Op> mine = h.ops().stream().filter(op -> op.client() == client)
                    .sorted(Comparator.comparingLong(op -> ((Outcome.Committed) op.outcome()).version())).toList();
            assertThat(mine).hasSize(OPS_PER_THREAD);
            for (int n = 1; n < mine.size(); n++) {
                assertThat(mine.get(n).invoked()).as("client %d op %d starts after op %d ended", client, n, n - 1)
                        .isGreaterThanOrEqualTo(mine.get(n - 1).completed());
            }
        }
    }

    @Test
    void anOperationStillRunningAppearsWithAnUnknownOutcome() {
        Recorder recorder = new Recorder();
        recorder.invoke(0, new Call.Read("k"));
        recorder.invoke(1, Call.Write.put("k", "v")).unknown("connection lost");

        History h = recorder.history();

        assertThat(h.ops()).hasSize(2).allSatisfy(op -> {
            assertThat(op.outcome()).isInstanceOf(Outcome.Unknown.class);
            assertThat(op.completed()).isEqualTo(Long.MAX_VALUE);
        });
    }

    @Test
    void anOperationEndsOnlyOnce() {
        Recorder recorder = new Recorder();
        Recorder.Pending p = recorder.invoke(0, Call.Write.put("k", "v"));
        p.committed(1);

        assertThatThrownBy(() -> p.unknown("late")).isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");
        assertThatThrownBy(() -> recorder.invoke(0, new Call.Read("k")).committed(2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is a read");
        assertThat(recorder.history().ops()).extracting(Op::outcome)
                .as("the refused ending left the read running").containsExactly(new Outcome.Committed(1),
                        new Outcome.Unknown("still running when the history was taken"));
    }

    @Test
    void awaitCompletedWakesWhenEnoughOperationsHaveEnded() throws Exception {
        Recorder recorder = new Recorder();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return recorder.awaitCompleted(3, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int n = 0; n < 3; n++) {
            assertThat(waiter).as("still waiting after %d", n).isNotDone();
            recorder.invoke(0, new Call.Read("k")).failed("refused");
        }
        assertThat(waiter.get(60, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.awaitCompleted(4, Duration.ofMillis(10))).as("a fourth never ends").isFalse();
    }
}
