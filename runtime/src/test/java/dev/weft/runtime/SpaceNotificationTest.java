package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Inbox#onSpace}: the wake-on-pop of a sender that must not park. */
class SpaceNotificationTest {
    private static final int CAPACITY = 2;
    private static final int MESSAGES = 200_000;
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Takes one message per permit the test hands it. */
    static final class Gated extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, CAPACITY);
        final Inbox<Integer> open = unboundedInbox("open", Integer.class);
        final BlockingQueue<Integer> permits = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                permits.take();
                inbox.receive();
            }
        }
    }

    /** Takes every message and checks that they come in order. */
    static final class Counter extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, CAPACITY);
        volatile int taken;

        @Override
        protected void run() throws InterruptedException {
            while (taken < MESSAGES) {
                int n = inbox.receive();
                assertThat(n).as("message in order").isEqualTo(taken);
                taken = n + 1;
            }
        }
    }

    @Test
    void theCallbackRunsOnceAfterTheOwnerTakesFromTheFullInbox() throws Exception {
        try (Weft weft = Weft.start()) {
            Gated owner = weft.spawn(new Gated());
            assertThat(owner.inbox.trySend(1) && owner.inbox.trySend(2)).isTrue();
            assertThat(owner.inbox.trySend(3)).as("a send into the full inbox").isFalse();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);

            owner.inbox.onSpace(() -> {
                runs.incrementAndGet();
                ran.countDown();
            });
            assertThat(owner.inbox.trySend(3)).as("the retry after registering").isFalse();
            assertThat(runs).as("runs before any take").hasValue(0);
            owner.permits.put(1);

            assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the callback ran").isTrue();
            assertThat(owner.inbox.trySend(3)).as("a send after the callback").isTrue();
            owner.permits.put(1);
            owner.permits.put(1);
            awaitEmpty(owner.inbox);
            assertThat(runs).as("a one-shot callback").hasValue(1);
        }
    }

    @Test
    void aSenderThatNeverParksLosesNoNotificationUnderLoad() throws Exception {
        try (Weft weft = Weft.start()) {
            Counter counter = weft.spawn(new Counter());
            Semaphore space = new Semaphore(0);
            int waits = 0;
            for (int i = 0; i < MESSAGES; i++) {
                while (!counter.inbox.trySend(i)) {
                    counter.inbox.onSpace(space::release);
                    if (counter.inbox.trySend(i)) {
                        break;
                    }
                    waits++;
                    assertThat(space.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                            .as("space notified for message " + i + " (after " + waits + " waits)").isTrue();
                }
            }
            assertThat(counter.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(counter.taken).isEqualTo(MESSAGES);
        }
    }

    @Test
    void anInboxThatClosesRunsTheCallbacksWaitingOnIt() throws Exception {
        try (Weft weft = Weft.start()) {
            Gated owner = weft.spawn(new Gated());
            owner.inbox.trySend(1);
            owner.inbox.trySend(2);
            CountDownLatch ran = new CountDownLatch(1);
            owner.inbox.onSpace(ran::countDown);

            owner.stop();

            assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the callback ran at the close").isTrue();
        }
    }

    @Test
    void anUnboundedInboxRunsTheCallbackAtOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            Gated owner = weft.spawn(new Gated());
            AtomicInteger runs = new AtomicInteger();

            owner.open.onSpace(runs::incrementAndGet);

            assertThat(runs).hasValue(1);
        }
    }

    private static void awaitEmpty(Inbox<?> inbox) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!inbox.isEmpty()) {
            assertThat(System.nanoTime()).as(inbox + " emptied in time").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
