package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphlineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** self.inbox -> split; split.outbox0 -> upper -> self."upper"; split.outbox1 -> length -> self."lengths". */
    private static Graphline twoBranches(Splitter<String> split, Stage<String, String> upper,
            Stage<String, Integer> length) {
        return Graphline.builder()
                .name("branches")
                .inbox("inbox", String.class)
                .outbox("upper", String.class)
                .outbox("lengths", Integer.class)
                .child("split", split)
                .child("upper", upper)
                .child("length", length)
                .link("self", "inbox", "split", "inbox")
                .link("self", "control", "split", "control")
                .link("split", "outbox0", "upper", "inbox")
                .link("split", "signal0", "upper", "control")
                .link("split", "outbox1", "length", "inbox")
                .link("split", "signal1", "length", "control")
                .link("upper", "outbox", "self", "upper")
                .link("length", "outbox", "self", "lengths")
                .link("upper", "signal", "self", "signal")
                .build();
    }

    @Test
    void theLinkageTableWiresChildrenAndPassThroughsAndProducerFinishedEndsTheGraphline() throws Exception {
        try (Weft weft = Weft.start()) {
            Splitter<String> split = new Splitter<>(String.class, 2);
            Stage<String, String> upper = Stage.map(String.class, String.class, String::toUpperCase);
            Stage<String, Integer> length = Stage.map(String.class, Integer.class, String::length);
            Graphline graph = twoBranches(split, upper, length);
            Source<String> source = new Source<>(String.class, List.of("a", "bb", "ccc"));
            Collector<String> uppers = weft.spawn(new Collector<>(String.class));
            Collector<Integer> lengths = weft.spawn(new Collector<>(Integer.class));
            weft.link(source.outbox, Boxes.inbox(graph, "inbox", String.class));
            weft.link(source.signal, graph.control);
            weft.link(Boxes.outbox(graph, "upper", String.class), uppers.inbox);
            weft.link(Boxes.outbox(graph, "lengths", Integer.class), lengths.inbox);
            weft.link(graph.signal, uppers.control);

            weft.spawn(graph);
            weft.spawn(source);

            assertThat(graph.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(graph.children()).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.FINISHED));
            uppers.finished.get();
            assertThat(List.copyOf(uppers.seen)).containsExactly("A", "BB", "CCC");
            assertThat(lengths.take(3)).containsExactly(1, 2, 3);
            assertThat(uppers.signals).singleElement().isInstanceOfSatisfying(ProducerFinished.class,
                    pf -> assertThat(pf.producer()).isSameAs(upper));
        }
    }

    @Test
    void shutdownEndsEveryChildAndTheGraphline() throws Exception {
        try (Weft weft = Weft.start()) {
            Graphline graph = weft.spawn(twoBranches(new Splitter<>(String.class, 2),
                    Stage.map(String.class, String.class, String::toUpperCase),
                    Stage.map(String.class, Integer.class, String::length)));

            graph.shutdown();

            assertThat(graph.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(graph.children()).allSatisfy(c -> assertThat(c.state().isTerminal()).isTrue());
        }
    }

    @Test
    void anUnknownComponentIsRejectedNamingTheKnownOnes() {
        assertThatThrownBy(() -> Graphline.builder()
                .child("a", Stage.map(String.class, String.class, s -> s))
                .link("a", "outbox", "b", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("link (a, outbox) -> (b, inbox)")
                .hasMessageContaining("no component named 'b'")
                .hasMessageContaining("self, a");
    }

    @Test
    void anUnknownBoxIsRejectedNamingTheBoxesThatExist() {
        assertThatThrownBy(() -> Graphline.builder()
                .child("a", Stage.map(String.class, String.class, s -> s))
                .child("b", Stage.map(String.class, String.class, s -> s))
                .link("a", "out", "b", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("link (a, out) -> (b, inbox)")
                .hasMessageContaining("child 'a' (MapStage#")
                .hasMessageContaining("has no outbox 'out'; its outboxes are signal, outbox");
        assertThatThrownBy(() -> Graphline.builder()
                .name("words")
                .child("a", Stage.map(String.class, String.class, s -> s))
                .link("self", "inbox", "a", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("graphline 'words' has no inbox 'inbox'");
    }

    @Test
    void aTypeMismatchIsRejectedNamingBothTypes() {
        assertThatThrownBy(() -> Graphline.builder()
                .child("a", Stage.map(String.class, Integer.class, String::length))
                .child("b", Stage.map(String.class, String.class, s -> s))
                .link("a", "outbox", "b", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type mismatch, java.lang.Integer does not fit java.lang.String");
        assertThatThrownBy(() -> Graphline.builder()
                .inbox("inbox", Integer.class)
                .child("b", Stage.map(String.class, String.class, s -> s))
                .link("self", "inbox", "b", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type mismatch, java.lang.Integer does not fit java.lang.String");
    }

    @Test
    void anOutboxLinkedTwiceIsRejected() {
        assertThatThrownBy(() -> Graphline.builder()
                .child("a", Stage.map(String.class, String.class, s -> s))
                .child("b", Stage.map(String.class, String.class, s -> s))
                .child("c", Stage.map(String.class, String.class, s -> s))
                .link("a", "outbox", "b", "inbox")
                .link("a", "outbox", "c", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is already linked");
    }

    @Test
    void anInboxPassedThroughToTwoChildrenIsRejectedNamingTheGraphlineTheBoxAndBothChildren() {
        assertThatThrownBy(() -> Graphline.builder()
                .name("fan")
                .inbox("inbox", String.class)
                .child("left", Stage.map(String.class, String.class, s -> s))
                .child("right", Stage.map(String.class, String.class, s -> s))
                .link("self", "inbox", "left", "inbox")
                .link("self", "inbox", "right", "inbox")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("graphline 'fan'")
                .hasMessageContaining("inbox 'inbox'")
                .hasMessageContaining("child 'left'")
                .hasMessageContaining("child 'right'")
                .hasMessageContaining("Splitter");
    }

    @Test
    void selfCannotBeAChildsName() {
        assertThatThrownBy(() -> Graphline.builder().child("self", Stage.map(String.class, String.class, s -> s)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names the graphline itself");
    }
}
