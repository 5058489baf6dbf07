package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TimersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SENTINEL = -1;

    /** A runtime whose close interrupts the test's receive loops (which ignore Shutdown) at once. */
    private static Weft quickClose() {
        return Weft.builder().shutdownGrace(Duration.ZERO).start();
    }

    /** Counts every number it gets; completes {@code sentinelSeen} on {@link #SENTINEL}. */
    static final class Tally extends Component {
        final Inbox<Integer> inbox = unboundedInbox("inbox", Integer.class);
        final Map<Integer, Integer> counts = new ConcurrentHashMap<>();
        final List<Integer> order = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> sentinelSeen = new CompletableFuture<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                int n = inbox.receive();
                if (n == SENTINEL) {
                    sentinelSeen.complete(null);
                } else {
                    counts.merge(n, 1, Integer::sum);
                    order.add(n);
                }
            }
        }
    }

    @Test
    void tenThousandTimersFireOnceEachAndCancelledOnesNever() throws Exception {
        int timers = 10_000;
        try (Weft weft = quickClose()) {
            Tally tally = weft.spawn(new Tally());
            List<Timer> scheduled = new ArrayList<>();
            for (int i = 0; i < timers; i++) {
                // Every third timer is due late enough that no loaded machine fires it before the
                // loop below cancels it; the others race their neighbours' cancels.
                Duration delay = i % 3 == 0 ? Duration.ofMinutes(1)
                        : Duration.ofMillis(ThreadLocalRandom.current().nextInt(200));
                scheduled.add(weft.timers().after(delay, tally.inbox, i));
            }
            boolean[] cancelled = new boolean[timers];
            for (int i = 0; i < timers; i += 3) {
                cancelled[i] = scheduled.get(i).cancel();
            }

            // One timer thread runs timers in due order: once the later sentinel arrives, every
            // earlier timer has either fired or been cancelled for good.
            weft.timers().after(Duration.ofMillis(400), tally.inbox, SENTINEL);
            tally.sentinelSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            int cancelledCount = 0;
            for (int i = 0; i < timers; i++) {
                int expected = cancelled[i] ? 0 : 1;
                cancelledCount += cancelled[i] ? 1 : 0;
                assertThat(tally.counts.getOrDefault(i, 0)).as("deliveries of timer %d (cancelled: %s)", i,
                        cancelled[i]).isEqualTo(expected);
            }
            assertThat(cancelledCount).as("timers cancelled before they fired").isEqualTo((timers + 2) / 3);
            assertThat(scheduled.get(1).cancel()).as("cancelling a timer that fired").isFalse();
        }
    }

    @Test
    void aPeriodicTimerFiresRepeatedlyAndStopsOnCancel() throws Exception {
        AtomicInteger supplied = new AtomicInteger();
        try (Weft weft = quickClose()) {
            Tally tally = weft.spawn(new Tally());
            Timer ticker = weft.timers().every(Duration.ofMillis(2), tally.inbox, supplied::incrementAndGet);
            Probes.awaitCondition(() -> tally.order.size() >= 5, "five ticks");

            assertThat(ticker.cancel()).isTrue();
            int ticksAtCancel = supplied.get();
            weft.timers().after(Duration.ofMillis(30), tally.inbox, SENTINEL);
            tally.sentinelSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(supplied.get()).as("ticks started after cancel returned").isEqualTo(ticksAtCancel);
            assertThat(tally.order).as("ticks delivered, in order")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, ticksAtCancel).boxed().toList());
            assertThat(ticker.cancel()).as("cancelling twice").isFalse();
        }
    }

    /** Takes nothing until released, then collects. */
    static final class Held extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 2);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> got = new CopyOnWriteArrayList<>();

        @Override
        protected void run() throws InterruptedException {
            release.await();
            for (;;) {
                got.add(inbox.receive());
            }
        }
    }

    @Test
    void timersIntoAFullInboxNeitherBlockTheTimerThreadNorLoseOneShotMessages() throws Exception {
        try (Weft weft = quickClose()) {
            Held held = weft.spawn(new Held());
            Tally tally = weft.spawn(new Tally());
            for (int i = 0; i < 6; i++) {
                weft.timers().after(Duration.ZERO, held.inbox, i);
            }
            Timer ticks = weft.timers().every(Duration.ofMillis(1), held.inbox, () -> 100);
            weft.timers().after(Duration.ofMillis(20), tally.inbox, SENTINEL);

            tally.sentinelSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Probes.awaitCondition(() -> weft.meterRegistry().get("weft.timer.ticks.skipped").functionCounter()
                    .count() > 0, "a periodic tick to be skipped on the full inbox");
            assertThat(ticks.cancel()).isTrue();
            held.release.countDown();

            Probes.awaitCondition(() -> held.got.containsAll(List.of(0, 1, 2, 3, 4, 5)),
                    "every one-shot message to arrive once the receiver takes");
            assertThat(held.got.stream().filter(n -> n < 100).toList()).as("one-shot messages, each once")
                    .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        }
    }

    @Test
    void aClosedRuntimeTakesNoNewTimers() throws Exception {
        Weft weft = quickClose();
        Tally tally = weft.spawn(new Tally());
        Timer pending = weft.timers().after(Duration.ofHours(1), tally.inbox, 1);

        weft.close();

        assertThatThrownBy(() -> weft.timers().after(Duration.ZERO, tally.inbox, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(pending.cancel()).as("a timer the closed runtime dropped can still be cancelled").isTrue();
        assertThat(tally.counts).isEmpty();
    }

    @Test
    void aPeriodicTimerWhoseSupplierThrowsAnErrorStopsAndCanStillBeCancelled() throws Exception {
        try (Weft weft = quickClose()) {
            Tally tally = weft.spawn(new Tally());
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch threw = new CountDownLatch(1);
            Timer broken = weft.timers().every(Duration.ofMillis(1), tally.inbox, () -> {
                calls.incrementAndGet();
                threw.countDown();
                throw new AssertionError("the supplier broke");
            });
            assertThat(threw.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Boolean> cancel = CompletableFuture.supplyAsync(broken::cancel);

            assertThat(cancel.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("cancel returns, and false: the timer cancelled itself when its supplier threw").isFalse();
            weft.timers().after(Duration.ofMillis(20), tally.inbox, SENTINEL);
            tally.sentinelSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(calls).as("no tick after the one that threw").hasValue(1);
            assertThat(tally.counts).isEmpty();
        }
    }
}
