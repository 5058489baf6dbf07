package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackPressureTest {
    private static final int CAPACITY = 16;
    private static final int SENDERS = 3;
    private static final int MESSAGES_PER_SENDER = 200;

    /** Takes messages only when the test hands it a number of permits; records the depth it sees. */
    static final class SlowReceiver extends Component {
        final Inbox<int[]> inbox = inbox("inbox", int[].class, CAPACITY);
        final BlockingQueue<Integer> permits = new LinkedBlockingQueue<>();
        final BlockingQueue<int[]> taken = new LinkedBlockingQueue<>();
        volatile int maxDepthSeen;

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                int n = permits.take();
                for (int i = 0; i < n; i++) {
                    maxDepthSeen = Math.max(maxDepthSeen, inbox.size());
                    taken.put(inbox.receive());
                }
            }
        }
    }

    static final class Sender extends Component {
        final Outbox<int[]> outbox = outbox("outbox", int[].class);
        private final int id;

        Sender(int id) {
            this.id = id;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < MESSAGES_PER_SENDER; i++) {
                outbox.send(new int[] {id, i});
            }
        }
    }

    @Test
    void fullInboxParksSendersAndNeverHoldsMoreThanItsCapacity() throws Exception {
        try (Weft weft = Weft.start()) {
            SlowReceiver receiver = weft.spawn(new SlowReceiver());
            List<Sender> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                Sender sender = new Sender(s);
                sender.outbox.linkTo(receiver.inbox);
                senders.add(weft.spawn(sender));
            }

            Probes.awaitCondition(() -> receiver.inbox.size() == CAPACITY, "the inbox to fill");
            Probes.awaitCondition(() -> backPressureWaits(weft) >= SENDERS, "every sender to park");
            assertThat(senders).allSatisfy(s -> assertThat(s.state()).isEqualTo(ComponentState.RUNNING));
            assertThat(receiver.inbox.size()).isEqualTo(CAPACITY);

            int total = SENDERS * MESSAGES_PER_SENDER;
            int[] next = new int[SENDERS];
            for (int step = 0; step < total; step += 7) {
                int n = Math.min(7, total - step);
                receiver.permits.put(n);
                for (int i = 0; i < n; i++) {
                    int[] m = receiver.taken.poll(10, TimeUnit.SECONDS);
                    assertThat(m).as("message %d arrives", step + i).isNotNull();
                    assertThat(m[1]).as("order of sender %d", m[0]).isEqualTo(next[m[0]]);
                    next[m[0]]++;
                }
                assertThat(receiver.inbox.size()).isLessThanOrEqualTo(CAPACITY);
            }

            assertThat(next).containsOnly(MESSAGES_PER_SENDER);
            assertThat(receiver.maxDepthSeen).isEqualTo(CAPACITY);
            for (Sender s : senders) {
                assertThat(s.join().state()).isEqualTo(ComponentState.FINISHED);
            }
        }
    }

    @Test
    void trySendReturnsFalseOnceTheInboxIsFull() throws Exception {
        try (Weft weft = Weft.start()) {
            SlowReceiver receiver = weft.spawn(new SlowReceiver());
            for (int i = 0; i < CAPACITY; i++) {
                assertThat(receiver.inbox.trySend(new int[] {0, i})).as("message %d fits", i).isTrue();
            }

            assertThat(receiver.inbox.trySend(new int[] {0, CAPACITY})).isFalse();
            assertThat(receiver.inbox.size()).isEqualTo(CAPACITY);

            receiver.permits.put(1);
            assertThat(receiver.taken.poll(10, TimeUnit.SECONDS)).containsExactly(0, 0);
            Probes.awaitCondition(() -> receiver.inbox.size() == CAPACITY - 1, "the receiver to take one");
            assertThat(receiver.inbox.trySend(new int[] {0, CAPACITY})).isTrue();
        }
    }

    @Test
    void timedSendOnAFullInboxFailsWithSendTimeoutExceptionAndDeliversNothing() throws Exception {
        try (Weft weft = Weft.start()) {
            SlowReceiver receiver = weft.spawn(new SlowReceiver());
            for (int i = 0; i < CAPACITY; i++) {
                receiver.inbox.send(new int[] {0, i});
            }
            long start = System.nanoTime();

            assertThatThrownBy(() -> receiver.inbox.send(new int[] {1, 0}, Duration.ofMillis(100)))
                    .isInstanceOf(SendTimeoutException.class)
                    .hasMessageContaining("stayed full");

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(receiver.inbox.size()).isEqualTo(CAPACITY);
        }
    }

    @Test
    void timedSendSucceedsWhenTheOwnerFreesSpaceInTime() throws Exception {
        try (Weft weft = Weft.start()) {
            SlowReceiver receiver = weft.spawn(new SlowReceiver());
            for (int i = 0; i < CAPACITY; i++) {
                receiver.inbox.send(new int[] {0, i});
            }
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    receiver.inbox.send(new int[] {1, 0}, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Probes.awaitCondition(() -> backPressureWaits(weft) >= 1, "the sender to park");

            receiver.permits.put(1);

            sender.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(sender.isAlive()).as("the timed send returned").isFalse();
            receiver.permits.put(CAPACITY);
            List<int[]> taken = new ArrayList<>();
            for (int i = 0; i <= CAPACITY; i++) {
                taken.add(receiver.taken.poll(10, TimeUnit.SECONDS));
            }
            assertThat(taken.get(CAPACITY)).containsExactly(1, 0);
        }
    }

    @Test
    void unboundedInboxNeverPushesBack() throws Exception {
        final class Hoarder extends Component {
            final Inbox<Integer> inbox = unboundedInbox("inbox", Integer.class);

            @Override
            protected void run() throws InterruptedException {
                new java.util.concurrent.CountDownLatch(1).await();
            }
        }
        try (Weft weft = Weft.builder().shutdownGrace(Duration.ZERO).start()) {
            Hoarder hoarder = weft.spawn(new Hoarder());
            for (int i = 0; i < 100_000; i++) {
                assertThat(hoarder.inbox.trySend(i)).isTrue();
            }
            assertThat(hoarder.inbox.size()).isEqualTo(100_000);
            assertThat(hoarder.inbox.isBounded()).isFalse();
        }
    }

    @Test
    void anInboxFilledBeforeSpawnReportsTheCapacityItReallyHas() throws Exception {
        final class Idle extends Component {
            final Inbox<Integer> inbox = inbox(Integer.class);

            @Override
            protected void run() throws InterruptedException {
                new java.util.concurrent.CountDownLatch(1).await();
            }
        }
        try (Weft weft = Weft.builder().defaultInboxCapacity(4).shutdownGrace(Duration.ZERO).start()) {
            // given: messages sent before spawn (as a carousel does to its next child) fill the inbox
            Idle idle = new Idle();
            int accepted = 0;
            while (idle.inbox.trySend(accepted)) {
                accepted++;
            }

            // when
            weft.spawn(idle);

            // then
            assertThat(idle.inbox.capacity()).as("the capacity of the queue that already holds the messages")
                    .isEqualTo(accepted)
                    .isGreaterThanOrEqualTo(idle.inbox.size());
        }
    }

    private static double backPressureWaits(Weft weft) {
        return weft.meterRegistry().get("weft.backpressure.waits").functionCounter().count();
    }
}
