package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What happens to messages sent to a component that has ended, or is ending: refused or dead, counted once. */
class ClosedInboxTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ENDINGS = 2_000;
    private static final int SENDERS = 3;
    private static final int TAKEN_BEFORE_END = 8;

    /** Ends at once, without ever touching its control inbox. */
    static final class Quick extends Component {
        @Override
        protected void run() {
        }
    }

    /** Takes a few messages, then ends while others are still sending. */
    static final class TakesAFew extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 4);
        final CountDownLatch sendersReady;
        int taken;

        TakesAFew(CountDownLatch sendersReady) {
            this.sendersReady = sendersReady;
        }

        @Override
        protected void run() throws InterruptedException {
            sendersReady.await();
            while (taken < TAKEN_BEFORE_END) {
                inbox.receive();
                taken++;
            }
        }
    }

    /** A component with a signal-typed outbox it sends on when told, from its own body. */
    static final class Signaller extends Component {
        final Inbox<String> inbox = inbox(String.class);
        final Outbox<Signal> out = outbox("out", Signal.class);

        @Override
        protected void run() throws InterruptedException {
            inbox.receive();
            out.send(new Shutdown());
        }
    }

    private static double dead(Weft weft) {
        return weft.meterRegistry().get("weft.messages.dead").functionCounter().count();
    }

    @Test
    void aShutdownSentToTheControlOfAnEndedComponentIsRefusedAndCountedDead() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);

            assertThatThrownBy(() -> quick.control.send(new Shutdown()))
                    .isInstanceOf(InboxClosedException.class)
                    .hasMessageContaining("control")
                    .hasMessageContaining(quick.name());
        }
    }

    @Test
    void everySendToTheControlOfAnEndedComponentCountsOneDeadLetter() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);
            double before = dead(weft);

            quick.shutdown();
            assertThatThrownBy(() -> quick.control.trySend(new Shutdown())).isInstanceOf(InboxClosedException.class);

            assertThat(dead(weft) - before).isEqualTo(2);
        }
    }

    @Test
    void aSignalOutboxLinkedToTheControlOfAnEndedComponentFailsTheSender() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);
            Signaller signaller = new Signaller();
            weft.link(signaller.out, quick.control);
            weft.spawn(signaller);
            double before = dead(weft);

            signaller.inbox.send("go");

            Terminated end = signaller.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(InboxClosedException.class);
            assertThat(dead(weft) - before).isEqualTo(1);
        }
    }

    /**
     * Senders race each receiver's end: each send is accepted (then taken, or left behind and
     * counted dead by the end) or refused (and counted dead). Nothing is counted twice.
     */
    @Test
    void aSendRacingTheEndOfItsReceiverIsCountedDeadExactlyOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            long taken = 0;
            for (int round = 0; round < ENDINGS; round++) {
                CountDownLatch ready = new CountDownLatch(SENDERS);
                TakesAFew receiver = weft.spawn(new TakesAFew(ready));
                List<Thread> senders = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    boolean blocking = s % 2 == 0;
                    senders.add(Thread.ofVirtual().start(() -> {
                        ready.countDown();
                        for (int n = 0; ; n++) {
                            try {
                                if (blocking) {
                                    receiver.inbox.send(n);
                                    accepted.incrementAndGet();
                                } else if (receiver.inbox.trySend(n)) {
                                    accepted.incrementAndGet();
                                }
                            } catch (InboxClosedException ended) {
                                refused.incrementAndGet();
                                return;
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        }
                    }));
                }
                for (Thread t : senders) {
                    t.join();
                }
                receiver.join(WAIT);
                taken += receiver.taken;
            }

            assertThat((long) dead(weft))
                    .as("dead letters: accepted %d - taken %d + refused %d", accepted.get(), taken, refused.get())
                    .isEqualTo(accepted.get() - taken + refused.get());
        }
    }
}
