package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.inspect.InboxInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The per-inbox received count read by an inspector while producers and the owner run flat out. */
class ReceivedCountStressTest {
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 200_000;

    static final class Counter extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 64);
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Counter() {
            super("counter");
        }

        @Override
        protected void run() throws InterruptedException {
            long n = 0;
            while (n < (long) PRODUCERS * PER_PRODUCER) {
                inbox.receive();
                n++;
            }
            done.complete(n);
            control.receive();
        }
    }

    @Test
    void inspectorSeesAMonotoneCountThatEndsExact() throws Exception {
        try (Weft weft = Weft.start()) {
            Counter counter = weft.spawn(new Counter());
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Long> regressions = CompletableFuture.supplyAsync(() -> {
                long last = 0;
                long backwards = 0;
                while (!stop.get()) {
                    long now = receivedOf(weft);
                    if (now < last) {
                        backwards++;
                    }
                    last = now;
                }
                return backwards;
            }, r -> Thread.ofPlatform().start(r));
            Thread[] producers = new Thread[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++) {
                producers[p] = Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < PER_PRODUCER; i++) {
                            counter.inbox.send(i);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            try (Watchdog watchdog = new Watchdog(java.time.Duration.ofSeconds(10))) {
                watchdog.progress().incrementAndGet();
                assertThat(watchdog.await(counter.done)).isEqualTo((long) PRODUCERS * PER_PRODUCER);
            }
            stop.set(true);

            assertThat(regressions.get()).as("times the inspector saw the count go backwards").isZero();
            assertThat(receivedOf(weft)).isEqualTo((long) PRODUCERS * PER_PRODUCER);
            for (Thread t : producers) {
                t.join();
            }
        }
    }

    private static long receivedOf(Weft weft) {
        return weft.snapshot().component("counter").orElseThrow().inboxes().stream()
                .filter(b -> b.name().equals("inbox")).mapToLong(InboxInfo::received).sum();
    }
}
