package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Await;
import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackplaneTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int PUBLISHERS = 3;
    private static final int SUBSCRIBERS = 8;
    private static final int PER_PUBLISHER = 2_000;
    /** Small enough that publishers are pushed back many times. */
    private static final int SUBSCRIBER_BUFFER = 4;

    record News(int publisher, int seq) {
    }

    @Test
    void everySubscriberGetsEveryMessageInPerPublisherOrderUnderBackPressure() throws Exception {
        try (Weft weft = Weft.builder().defaultInboxCapacity(8).start()) {
            List<SubscribeTo<News>> subscribers = new ArrayList<>();
            List<Collector<News>> readers = new ArrayList<>();
            for (int s = 0; s < SUBSCRIBERS; s++) {
                SubscribeTo<News> sub = new SubscribeTo<>("news", News.class, SUBSCRIBER_BUFFER, Overflow.BLOCK);
                Collector<News> reader = weft.spawn(new Collector<>(News.class));
                weft.link(sub.outbox, reader.inbox);
                subscribers.add(weft.spawn(sub));
                readers.add(reader);
            }
            for (SubscribeTo<News> sub : subscribers) {
                sub.subscribed().get();
            }
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Source<News> source = new Source<>(News.class,
                        IntStream.range(0, PER_PUBLISHER).mapToObj(i -> new News(publisher, i)).toList());
                PublishTo<News> desk = weft.spawn(new PublishTo<>("news", News.class));
                weft.link(source.outbox, desk.inbox);
                weft.link(source.signal, desk.control);
                weft.spawn(source);
            }

            for (Collector<News> reader : readers) {
                List<News> got = reader.take(PUBLISHERS * PER_PUBLISHER);
                for (int p = 0; p < PUBLISHERS; p++) {
                    int publisher = p;
                    assertThat(got.stream().filter(n -> n.publisher() == publisher).map(News::seq).toList())
                            .as("publisher %d's messages at %s, all and in order", p, reader.name())
                            .isEqualTo(IntStream.range(0, PER_PUBLISHER).boxed().toList());
                }
            }
            assertThat(subscribers).allSatisfy(s -> assertThat(s.dropped()).isZero());
            assertThat(weft.services().lookup(Backplane.key("news", News.class))).isNotNull();
        }
    }

    /** A reader that takes nothing until released, so that what reaches it piles up. */
    static final class HeldReader extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 2);
        final CountDownLatch release = new CountDownLatch(1);
        final BlockingQueue<Integer> seen = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            release.await();
            for (;;) {
                seen.add(inbox.receive());
            }
        }
    }

    private record Held(Weft weft, Backplane<Integer> plane, SubscribeTo<Integer> sub, HeldReader reader) {
        /**
         * Publishes 0, 1, 2 and waits until the subscriber is stuck: two in the reader's full
         * inbox, the third in its hand, its buffer empty. Then publishes {@code 3 .. 3 + more - 1}.
         */
        void fill(int more) throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                plane.inbox.send(i);
            }
            Await.condition(() -> reader.inbox.size() == 2 && sub.buffered() == 0 && plane.inbox.isEmpty(),
                    "the subscriber to hold one message with the reader's inbox full");
            for (int i = 3; i < 3 + more; i++) {
                plane.inbox.send(i);
            }
        }

        double dropCounter(Overflow policy) {
            return weft.meterRegistry().get("weft.backplane.dropped")
                    .tag("backplane", plane.backplaneName()).tag("policy", policy.name()).counter().count();
        }
    }

    /** The held reader ignores Shutdown; interrupt it soon when the test ends. */
    private static Weft quickClose() {
        return Weft.builder().shutdownGrace(Duration.ofMillis(50)).start();
    }

    private static Held held(Weft weft, Overflow policy) throws Exception {
        SubscribeTo<Integer> sub = new SubscribeTo<>("ticks", Integer.class, 4, policy);
        HeldReader reader = weft.spawn(new HeldReader());
        weft.link(sub.outbox, reader.inbox);
        Backplane<Integer> plane = weft.spawn(sub).subscribed().get();
        return new Held(weft, plane, sub, reader);
    }

    @Test
    void dropOldestKeepsTheLatestMessagesAndCountsTheRest() throws Exception {
        try (Weft weft = quickClose()) {
            Held h = held(weft, Overflow.DROP_OLDEST);

            h.fill(20);
            Await.condition(() -> h.dropCounter(Overflow.DROP_OLDEST) == 16, "16 drops");
            h.reader().release.countDown();
            h.plane().shutdown();

            assertThat(h.sub().join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            Await.condition(() -> h.reader().seen.size() == 7, "the reader to take all it was sent");
            assertThat(List.copyOf(h.reader().seen)).containsExactly(0, 1, 2, 19, 20, 21, 22);
            assertThat(h.sub().dropped()).isEqualTo(16);
        }
    }

    @Test
    void dropNewestKeepsTheEarliestMessagesAndCountsTheRest() throws Exception {
        try (Weft weft = quickClose()) {
            Held h = held(weft, Overflow.DROP_NEWEST);

            h.fill(20);
            Await.condition(() -> h.dropCounter(Overflow.DROP_NEWEST) == 16, "16 drops");
            h.reader().release.countDown();
            h.plane().shutdown();

            assertThat(h.sub().join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            Await.condition(() -> h.reader().seen.size() == 7, "the reader to take all it was sent");
            assertThat(List.copyOf(h.reader().seen)).containsExactly(0, 1, 2, 3, 4, 5, 6);
            assertThat(h.sub().dropped()).isEqualTo(16);
        }
    }

    @Test
    void disconnectUnsubscribesTheSlowSubscriberWhichDeliversWhatItHadAndFails() throws Exception {
        try (Weft weft = quickClose()) {
            Held h = held(weft, Overflow.DISCONNECT);

            h.fill(20);
            Await.condition(() -> h.plane().subscriberCount() == 0 && h.plane().inbox.isEmpty(),
                    "the backplane to drop the subscriber and handle everything");
            h.reader().release.countDown();
            Terminated end = h.sub().join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(BackplaneOverflowException.class)
                    .hasMessageContaining("disconnected");
            Await.condition(() -> h.reader().seen.size() == 7, "the reader to take all it was sent");
            assertThat(List.copyOf(h.reader().seen)).containsExactly(0, 1, 2, 3, 4, 5, 6);
            assertThat(h.dropCounter(Overflow.DISCONNECT)).isEqualTo(1);
            assertThat(h.plane().state()).as("the backplane carries on").isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void blockHoldsThePublisherBackUntilTheSubscriberMakesRoom() throws Exception {
        try (Weft weft = quickClose()) {
            Held h = held(weft, Overflow.BLOCK);

            h.fill(20);
            // The backplane holds one message while it waits for room, so 15 wait in its inbox
            // (it may not have taken that one yet when the buffer fills).
            Await.condition(() -> h.sub().buffered() == 4 && h.plane().inbox.size() == 15,
                    "the subscriber's buffer to fill and the backplane to wait for room");
            assertThat(h.sub().buffered()).isEqualTo(4);
            assertThat(h.plane().inbox.size()).as("the rest waits in the backplane's inbox").isEqualTo(15);
            h.reader().release.countDown();

            Await.condition(() -> h.reader().seen.size() == 23, "every message to arrive");
            assertThat(List.copyOf(h.reader().seen)).isEqualTo(IntStream.range(0, 23).boxed().toList());
            assertThat(h.sub().dropped()).isZero();
        }
    }

    @Test
    void aSubscriptionMadeWhileTheBackplaneEndsIsClosedToo() throws Exception {
        try (Weft weft = Weft.start()) {
            Backplane<String> plane = Backplane.find(weft, "ending", String.class);
            CountDownLatch ending = new CountDownLatch(1);
            CountDownLatch lateAttached = new CountDownLatch(1);
            // given: the backplane, as it ends, is held inside the close of its only subscription
            plane.subscribe(1, Overflow.BLOCK, () -> {
                ending.countDown();
                awaitQuietly(lateAttached);
            });
            plane.shutdown();
            assertThat(ending.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the backplane starts ending").isTrue();

            // when: another subscription attaches in that moment
            Subscription<String> late = plane.subscribe(1, Overflow.BLOCK, () -> { });
            lateAttached.countDown();
            plane.join(WAIT);

            // then: it is closed, so its subscriber ends instead of waiting forever
            assertThat(late.isClosed()).as("a subscription made while the backplane ended is closed").isTrue();
        }
    }

    @Test
    void aSubscriberThatCannotSubscribeFailsItsSubscribedFuture() throws Exception {
        try (Weft weft = Weft.start()) {
            Backplane.find(weft, "typed", String.class);

            SubscribeTo<Integer> sub = weft.spawn(new SubscribeTo<>("typed", Integer.class));

            assertThat(sub.join(WAIT).state()).isEqualTo(ComponentState.FAILED);
            assertThat(sub.subscribed()).as("whoever waits to be subscribed hears of the failure")
                    .failsWithin(WAIT)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
