package dev.weft.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(WeftExtension.class)
class ProbeTest {
    private static final Duration SHORT = Duration.ofMillis(100);

    @Test
    void expectMessageReturnsWhatALinkedComponentSent(Weft weft) throws Exception {
        Doubler doubler = weft.spawn(new Doubler());
        Probe<Integer> out = Probe.spawn(weft, "out", Integer.class);
        weft.link(doubler.outbox, out.inbox());

        doubler.inbox.send(21);

        assertThat(out.expectMessage()).isEqualTo(42);
    }

    @Test
    void expectMessageFailsWithAClearMessageWhenNothingArrives(Weft weft) {
        Probe<String> probe = Probe.spawn(weft, "silent", String.class);

        assertThatThrownBy(() -> probe.expectMessage(SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("silent").hasMessageContaining("got none");
    }

    @Test
    void expectMessageOfATypeChecksTheType(Weft weft) {
        Probe<Object> probe = Probe.spawn(weft, "any", Object.class);
        probe.inbox().trySend("text");
        probe.inbox().trySend(7);

        assertThat(probe.expectMessage(String.class)).isEqualTo("text");
        assertThatThrownBy(() -> probe.expectMessage(String.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected a java.lang.String but got 7");
    }

    @Test
    void expectMessageWithAPredicateChecksTheMessage(Weft weft) {
        Probe<Integer> probe = Probe.spawn(weft, "numbers", Integer.class);
        probe.inbox().trySend(4);
        probe.inbox().trySend(5);

        assertThat(probe.expectMessage(n -> n % 2 == 0)).isEqualTo(4);
        assertThatThrownBy(() -> probe.expectMessage(n -> n % 2 == 0)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("got 5");
    }

    @Test
    void expectNoMessagePassesInSilenceAndNamesAnIntruder(Weft weft) {
        Probe<String> probe = Probe.spawn(weft, "quiet", String.class);

        probe.expectNoMessage(SHORT);
        probe.inbox().trySend("intruder");
        assertThatThrownBy(() -> probe.expectNoMessage(SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("intruder");
    }

    @Test
    void receiveNReturnsMessagesInOrderAndSaysHowManyCameWhenTooFew(Weft weft) throws Exception {
        Doubler doubler = weft.spawn(new Doubler());
        Probe<Integer> out = Probe.spawn(weft, "out", Integer.class);
        weft.link(doubler.outbox, out.inbox());
        for (int i = 0; i < 1000; i++) {
            doubler.inbox.send(i);
        }

        assertThat(out.receiveN(1000)).containsExactlyElementsOf(IntStream.range(0, 1000).map(i -> 2 * i).boxed().toList());
        assertThatThrownBy(() -> out.receiveN(2, SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2 messages").hasMessageContaining("got 0");
    }

    @Test
    void aWaitingProbeWakesForAMessageSentLaterFromAnotherThread(Weft weft) {
        Probe<String> probe = Probe.spawn(weft, "later", String.class);
        Thread.ofPlatform().start(() -> {
            try {
                probe.inbox().send("hello", Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(probe.expectMessage()).isEqualTo("hello");
    }
}
