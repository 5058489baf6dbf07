package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Await;
import dev.weft.actors.Collector;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import dev.weft.runtime.InboxClosedException;
import java.time.Duration;
import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CarouselTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SWAPS = 40;
    private static final int SENDS_PER_SWAP = 500;

    private static Carousel<String, String, String> prefixer(String first) {
        return Carousel.of(String.class, String.class, String.class, prefix -> {
            if (prefix.equals("bad")) {
                throw new IllegalArgumentException("no child for bad");
            }
            return Stage.map(String.class, String.class, s -> prefix + s);
        }, first);
    }

    @Test
    void aNextMessageReplacesTheChildAndThePassThroughsFollowIt() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> carousel = prefixer("a:");
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(carousel.outbox, sink.inbox);
            weft.spawn(carousel);
            Component first = carousel.current();

            carousel.inbox.send("x");
            assertThat(sink.take(1)).containsExactly("a:x");
            carousel.next.send("b:");
            Await.condition(() -> carousel.current() != first, "the carousel to make its second child");
            carousel.inbox.send("y");

            assertThat(sink.take(1)).containsExactly("b:y");
            assertThat(first.join(WAIT).state()).as("the replaced child was shut down").isEqualTo(ComponentState.FINISHED);
            assertThat(carousel.current().state()).isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void aChildThatEndsByItselfIsReportedOnFinished() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> carousel = prefixer("a:");
            Collector<Terminated> ends = weft.spawn(new Collector<>(Terminated.class));
            weft.link(carousel.finished, ends.inbox);
            weft.link(carousel.outbox, weft.spawn(new Collector<>(String.class)).inbox);
            weft.spawn(carousel);
            Component first = carousel.current();

            carousel.control.send(new ProducerFinished(null));

            Terminated end = ends.take(1).get(0);
            assertThat(end.component()).isSameAs(first);
            assertThat(end.state()).isEqualTo(ComponentState.FINISHED);
            carousel.shutdown();
            assertThat(carousel.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void aNextTheFactoryCannotServeKeepsTheCurrentChild() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> carousel = prefixer("a:");
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(carousel.outbox, sink.inbox);
            weft.spawn(carousel);

            Component first = carousel.current();

            carousel.next.send("bad");
            carousel.inbox.send("z");
            assertThat(sink.take(1)).containsExactly("a:z");
            carousel.next.send("c:");
            Await.condition(() -> carousel.current() != first, "the carousel to make a child for the good next");
            carousel.inbox.send("w");

            assertThat(sink.take(1)).containsExactly("c:w");
            assertThat(carousel.state()).isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void shutdownEndsTheChildAndTheCarousel() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> carousel = weft.spawn(prefixer("a:"));
            Component child = carousel.current();

            carousel.shutdown();

            assertThat(carousel.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(child.state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    /**
     * Senders into the carousel, direct and through a linked stage, never see a swap: no send is
     * refused, and the stage survives every swap without relinking. Messages still queued in a
     * replaced child end with it and are counted dead; every message is received or counted dead.
     */
    @Test
    void sendersNeverSeeASwapAndEveryMessageIsReceivedOrCountedDead() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> carousel = prefixer("0:");
            Stage<String, String> feeder = Stage.map(String.class, String.class, s -> s);
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(carousel.outbox, sink.inbox);
            weft.link(feeder.outbox, carousel.inbox);
            weft.spawn(carousel);
            weft.spawn(feeder);
            AtomicBoolean swapping = new AtomicBoolean(true);
            AtomicLong sent = new AtomicLong();
            AtomicInteger refused = new AtomicInteger();
            CompletableFuture<Void> direct = sendWhile(swapping, carousel.inbox, sent, refused);
            CompletableFuture<Void> linked = sendWhile(swapping, feeder.inbox, sent, refused);
            try {
                for (int swap = 1; swap <= SWAPS; swap++) {
                    long before = sent.get();
                    Await.condition(() -> sent.get() >= before + SENDS_PER_SWAP || refused.get() > 0,
                            "senders to make progress");
                    Component old = carousel.current();
                    carousel.next.send(swap + ":");
                    Await.condition(() -> carousel.current() != old, "swap " + old + " out");
                    old.join(WAIT);
                }
            } finally {
                swapping.set(false);
            }
            direct.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            linked.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(refused).as("sends refused during swaps").hasValue(0);
            assertThat(feeder.state()).as("the stage linked to the carousel survived every swap")
                    .isEqualTo(ComponentState.RUNNING);
            Await.condition(() -> sink.seen.size() + dead(weft) == sent.get(),
                    "each of " + sent + " messages to be received or counted dead");
        }
    }

    /** Sends from a thread of its own until told to stop or refused, counting what it sent. */
    private static CompletableFuture<Void> sendWhile(AtomicBoolean going, Inbox<String> to, AtomicLong sent,
            AtomicInteger refused) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int n = 0; going.get(); n++) {
                    sent.incrementAndGet();
                    try {
                        to.send("m" + n);
                    } catch (InboxClosedException e) {
                        refused.incrementAndGet();
                        break;
                    }
                }
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private static long dead(Weft weft) {
        return (long) weft.meterRegistry().get("weft.messages.dead").functionCounter().count();
    }
}
