package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Await;
import dev.weft.actors.Collector;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CarouselTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

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

            carousel.control().send(new ProducerFinished(null));

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
}
