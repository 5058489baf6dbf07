package dev.weft.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
        weft.link(doubler.outbox, out.inbox);

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
        probe.inbox.trySend("text");
        probe.inbox.trySend(7);

        assertThat(probe.expectMessage(String.class)).isEqualTo("text");
        assertThatThrownBy(() -> probe.expectMessage(String.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected a java.lang.String but got 7");
    }

    @Test
    void expectMessageWithAPredicateChecksTheMessage(Weft weft) {
        Probe<Integer> probe = Probe.spawn(weft, "numbers", Integer.class);
        probe.inbox.trySend(4);
        probe.inbox.trySend(5);

        assertThat(probe.expectMessage(n -> n % 2 == 0)).isEqualTo(4);
        assertThatThrownBy(() -> probe.expectMessage(n -> n % 2 == 0)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("got 5");
    }

    @Test
    void expectNoMessagePassesInSilenceAndNamesAnIntruder(Weft weft) {
        Probe<String> probe = Probe.spawn(weft, "quiet", String.class);

        probe.expectNoMessage(SHORT);
        probe.inbox.trySend("intruder");
        assertThatThrownBy(() -> probe.expectNoMessage(SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("intruder");
    }

    @Test
    void receiveNReturnsMessagesInOrderAndSaysHowManyCameWhenTooFew(Weft weft) throws Exception {
        Doubler doubler = weft.spawn(new Doubler());
        Probe<Integer> out = Probe.spawn(weft, "out", Integer.class);
        weft.link(doubler.outbox, out.inbox);
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
                probe.inbox.send("hello", Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(probe.expectMessage()).isEqualTo("hello");
    }

    @Test
    void failureMessagesPrintByteArraysAsTextNotAsIdentities(Weft weft) {
        Probe<byte[]> probe = Probe.spawn(weft, "bytes", byte[].class);
        probe.inbox.trySend("ping\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> probe.expectNoMessage(SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageEndingWith("but got byte[6] \"ping\\r\\n\"")
                .message().doesNotContain("[B@");
    }

    @Test
    void aMessageOfTheWrongTypeNamesArrayTypesAsJavaDoes(Weft weft) {
        Probe<Object> probe = Probe.spawn(weft, "any", Object.class);
        probe.inbox.trySend(new int[] {1, 2, 3});

        assertThatThrownBy(() -> probe.expectMessage(String.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected a java.lang.String but got int[3] [1, 2, 3] (int[])");
    }

    @Test
    void receiveNListsArraysReadablyWhenTooFewCome(Weft weft) {
        Probe<byte[]> probe = Probe.spawn(weft, "frames", byte[].class);
        probe.inbox.trySend(new byte[] {0, 1});

        assertThatThrownBy(() -> probe.receiveN(2, SHORT)).isInstanceOf(AssertionError.class)
                .hasMessageEndingWith("but got 1: [byte[2] \"\\x00\\x01\"]");
    }

    @Test
    void fishForMessageSkipsToTheFirstMatchAndLeavesTheRest(Weft weft) {
        Probe<Integer> probe = holding(weft, Integer.class, 1, 3, 4, 5, 6);

        assertThat(probe.fishForMessage(n -> n % 2 == 0)).isEqualTo(4);
        assertThat(probe.expectMessage()).as("messages after the catch stay in the probe").isEqualTo(5);
    }

    @Test
    void fishForMessageWaitsForAMatchSentLater(Weft weft) {
        Probe<String> probe = Probe.spawn(weft, "later", String.class);
        probe.inbox.trySend("noise");
        Thread.ofPlatform().start(() -> {
            try {
                probe.inbox.send("wanted", Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(probe.fishForMessage(Duration.ofSeconds(5), "wanted"::equals)).isEqualTo("wanted");
    }

    @Test
    void fishForMessageListsWhatItSkippedWhenNothingMatchesInTime(Weft weft) {
        Probe<byte[]> probe = holding(weft, byte[].class, new byte[] {'a'}, new byte[] {'b'});

        assertThatThrownBy(() -> probe.fishForMessage(SHORT, b -> b.length > 1)).isInstanceOf(AssertionError.class)
                .hasMessage("probe held fished for a message that matches within PT0.1S but none came; "
                        + "skipped 2: [byte[1] \"a\", byte[1] \"b\"]");
    }

    @Test
    void fishForMessagesKeepsWhatTheFisherKeepsUntilItCompletes(Weft weft) {
        Probe<String> probe = holding(weft, String.class, "tick", "part 1", "tick", "part 2", "end", "after");

        List<String> parts = probe.fishForMessages(s -> switch (s) {
            case "tick" -> FishingOutcome.SKIP;
            case "end" -> FishingOutcome.COMPLETE;
            default -> FishingOutcome.KEEP;
        });

        assertThat(parts).containsExactly("part 1", "part 2", "end");
        assertThat(probe.expectMessage()).isEqualTo("after");
    }

    @Test
    void fishForMessagesFailsOnWhatTheFisherRejectsAndSaysWhatCameBefore(Weft weft) {
        Probe<String> probe = holding(weft, String.class, "tick", "part 1", "error");

        assertThatThrownBy(() -> probe.fishForMessages(SHORT, s -> switch (s) {
            case "tick" -> FishingOutcome.SKIP;
            case "error" -> FishingOutcome.FAIL;
            default -> FishingOutcome.KEEP;
        })).isInstanceOf(AssertionError.class)
                .hasMessage("probe held fished for messages until the fisher says COMPLETE but the fisher failed on "
                        + "error; kept 1: [part 1]; skipped 1: [tick]");
    }

    @Test
    void fishForMessagesThatNeverCompleteFailsWithWhatWasKept(Weft weft) {
        Probe<String> probe = holding(weft, String.class, "part 1");

        assertThatThrownBy(() -> probe.fishForMessages(SHORT, s -> FishingOutcome.KEEP))
                .isInstanceOf(AssertionError.class)
                .hasMessage("probe held fished for messages until the fisher says COMPLETE within PT0.1S but none came; "
                        + "kept 1: [part 1]; skipped 0");
    }

    @Test
    void aFisherThatReturnsNullIsToldWhatToReturn(Weft weft) {
        Probe<String> probe = holding(weft, String.class, "x");

        assertThatThrownBy(() -> probe.fishForMessages(SHORT, s -> null)).isInstanceOf(NullPointerException.class)
                .hasMessage("the fisher of probe held returned null for x; return SKIP, KEEP, COMPLETE or FAIL");
    }

    /** A probe named "held" that already holds {@code messages}. */
    @SafeVarargs
    private static <T> Probe<T> holding(Weft weft, Class<T> type, T... messages) {
        Probe<T> probe = Probe.spawn(weft, "held", type);
        for (T m : messages) {
            assertThat(probe.inbox.trySend(m)).as("the probe takes %s", m).isTrue();
        }
        return probe;
    }
}
