package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallDeadlinesTest {
    private final Map<Long, ClientConnection.Call> calls = new ConcurrentHashMap<>();
    private final CallDeadlines deadlines = new CallDeadlines(calls);

    @AfterEach
    void stop() {
        deadlines.stop();
    }

    private ClientConnection.Call add(long id, Duration timeout) {
        ClientConnection.Call call = new ClientConnection.Call(new CompletableFuture<>(), timeout,
                System.nanoTime() + timeout.toNanos(), "call " + id);
        calls.put(id, call);
        deadlines.added(call);
        return call;
    }

    @Test
    void aCallStillUnansweredAtItsDeadlineFailsAndIsForgottenAndAnAnsweredOneIsLeftAlone() throws Exception {
        ClientConnection.Call answered = add(1, Duration.ofMillis(100));
        ClientConnection.Call unanswered = add(2, Duration.ofMillis(100));
        calls.remove(1L);
        answered.reply().complete(null);

        assertThat(unanswered.reply()).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(OutcomeUnknownException.class).withMessageContaining("no answer to call 2 within PT0.1S");
        assertThat(calls).isEmpty();
        assertThat(answered.reply()).isCompletedWithValue(null);
    }

    /**
     * Calls answered before the sweeper looks at them must not wake it one by one: with none in
     * flight it sleeps one shortest timeout, and a call due later than that does not wake it.
     */
    @Test
    void callsAnsweredBeforeTheSweeperLooksDoNotWakeItEachTime() throws Exception {
        add(0, Duration.ofSeconds(10));
        awaitScans(1);
        calls.clear();
        long before = deadlines.scans();

        for (int i = 1; i <= 20; i++) {
            add(i, Duration.ofSeconds(10));
            calls.remove((long) i);
            Thread.sleep(10);
        }

        assertThat(deadlines.scans() - before).as("scans after 20 quick calls (one may come from the first)").isLessThanOrEqualTo(2);
    }

    /** A tiny timeout (here 1 ns) must not make the sweeper of an idle connection spin. */
    @Test
    void aTinyTimeoutDoesNotMakeAnIdleConnectionSpin() throws Exception {
        ClientConnection.Call tiny = add(1, Duration.ofNanos(1));
        tiny.reply().handle((v, e) -> null).get(10, java.util.concurrent.TimeUnit.SECONDS);
        long before = deadlines.scans();

        Thread.sleep(1000);

        assertThat(deadlines.scans() - before).as("scans in 1 s with no call in flight").isLessThan(20);
    }

    /**
     * A call's future is failed off the sweeper: a callback on it that blocks (here until the test
     * lets it go) holds up no other call's deadline.
     */
    @Test
    void aBlockingCallbackOnAnExpiredCallHoldsUpNoOtherDeadline() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ClientConnection.Call first = add(1, Duration.ofMillis(50));
        first.reply().whenComplete((v, e) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            // Not first.reply().get(): a thread waiting in get() may run the callback itself.
            assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the first call expired").isTrue();
            ClientConnection.Call second = add(2, Duration.ofMillis(50));

            assertThat(second.reply()).as("failed while the first call's callback still blocks")
                    .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(OutcomeUnknownException.class);
        } finally {
            release.countDown();
        }
    }

    private void awaitScans(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (deadlines.scans() < n) {
            assertThat(System.nanoTime()).as("the sweeper scanned within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
