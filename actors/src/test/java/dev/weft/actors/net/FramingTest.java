package dev.weft.actors.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.actors.flow.Pipeline;
import dev.weft.actors.flow.Stage;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Framing decoders and encoders as stages: what they send, how they end, what they refuse. */
class FramingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** How a stage ended, what it sent and the signals that followed. */
    record Run<O>(Terminated end, List<O> sent, List<Signal> signals) {
    }

    /** Feeds {@code input} to {@code stage}, then ProducerFinished, and reports how it went. */
    private static <I, O> Run<O> run(Stage<I, O> stage, Class<I> in, Class<O> out, List<I> input) throws Exception {
        return run(stage, stage.inbox, stage.outbox, in, out, input);
    }

    private static <I, O> Run<O> run(Pipeline<I, O> pipeline, Class<I> in, Class<O> out, List<I> input) throws Exception {
        return run(pipeline, pipeline.inbox, pipeline.outbox, in, out, input);
    }

    private static <I, O> Run<O> run(Component stage, Inbox<I> inbox, Outbox<O> outbox, Class<I> in, Class<O> out,
            List<I> input) throws Exception {
        try (Weft weft = Weft.start()) {
            Source<I> source = new Source<>(in, input);
            Collector<O> sink = new Collector<>(out);
            weft.link(source.outbox, inbox);
            weft.link(source.signal, stage.control);
            weft.link(outbox, sink.inbox);
            weft.link(stage.signal, sink.control);
            weft.spawn(sink);
            weft.spawn(stage);
            weft.spawn(source);
            Terminated end = stage.join(WAIT);
            if (end.failed()) {
                sink.control.send(new Shutdown());   // behind anything the stage sent
            }
            sink.finished.get();
            return new Run<>(end, List.copyOf(sink.seen), List.copyOf(sink.signals));
        }
    }

    private static List<byte[]> chunks(String... parts) {
        return Arrays.stream(parts).map(p -> p.getBytes(UTF_8)).toList();
    }

    @Test
    void aLinesDecoderSendsEveryLineAndTheLastOneWithoutANewlineAtEndOfInput() throws Exception {
        Run<String> run = run(Framing.lines(100).decoder(), byte[].class, String.class,
                chunks("he", "llo\r\nwor", "ld\n\nlast li", "ne"));

        assertThat(run.sent()).containsExactly("hello", "world", "", "last line");
        assertThat(run.signals()).singleElement().isInstanceOf(ProducerFinished.class);
        assertThat(run.end().state()).isEqualTo(ComponentState.FINISHED);
    }

    @Test
    void aStrictDecoderRefusesAnUnterminatedLastLineNamingItself() throws Exception {
        Run<String> run = run(Framing.lines(100).strict().decoder("lines from 10.0.0.7:4242"), byte[].class, String.class,
                chunks("one\ntw", "o"));

        assertThat(run.sent()).containsExactly("one");
        assertThat(run.end().state()).isEqualTo(ComponentState.FAILED);
        assertThat(run.end().cause()).isInstanceOf(FramingException.class).hasMessage("lines from 10.0.0.7:4242:"
                + " input ended inside a line: 3 bytes came after the last delimiter \"\\n\", and strict framing refuses"
                + " an unterminated line");
        assertThat(run.signals()).as("no ProducerFinished after a failure").singleElement().isInstanceOf(Shutdown.class);
    }

    @Test
    void aLineOverTheMaximumFailsTheDecoderNamingTheLimit() throws Exception {
        Run<String> run = run(Framing.lines(4).decoder("conn-3"), byte[].class, String.class,
                chunks("1234\n", "12345\n", "ok\n"));

        assertThat(run.sent()).containsExactly("1234");
        assertThat(run.end().cause()).isInstanceOf(FramingException.class)
                .hasMessageStartingWith("conn-3: a line longer than the maximum of 4 bytes came in");
    }

    @Test
    void charactersOfSeveralBytesSplitAcrossChunksDecodeWhole() throws Exception {
        byte[] line = "héllo wörld ✓ 🧵\n".getBytes(UTF_8);
        List<byte[]> input = new ArrayList<>();
        for (int i = 0; i <= line.length; i++) {
            input.add(Arrays.copyOfRange(line, 0, i));
            input.add(Arrays.copyOfRange(line, i, line.length));
        }

        Run<String> run = run(Framing.lines(100).decoder(), byte[].class, String.class, input);

        assertThat(run.sent()).hasSize(line.length + 1).containsOnly("héllo wörld ✓ 🧵");
    }

    @Test
    void linesInAnotherCharsetAndWithTheCarriageReturnKept() throws Exception {
        Run<String> run = run(Framing.lines(StandardCharsets.ISO_8859_1, false, 10).decoder(), byte[].class, String.class,
                List.of(new byte[] {'d', (byte) 0xe9, 'j', (byte) 0xe0, '\r', '\n'}));

        assertThat(run.sent()).containsExactly("déjà\r");
    }

    @Test
    void encodersAndDecodersRoundTripThroughAPipeline() throws Exception {
        Framing<String> lines = Framing.lines(20);
        List<String> text = List.of("one", "", "two words", "ünïcödé");
        Pipeline<String, String> lineTrip = Pipeline.from(String.class).then(lines.encoder()).then(lines.decoder()).build();
        assertThat(run(lineTrip, String.class, String.class, text).sent()).isEqualTo(text);

        for (Framing<byte[]> framing : List.of(Framing.lengthPrefix(1, 255), Framing.lengthPrefix(2, 1000),
                Framing.lengthPrefix(4, 1000), Framing.delimiter("<END>".getBytes(UTF_8), 1000))) {
            Random random = new Random(42);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] f = new byte[random.nextInt(10) == 0 ? 0 : random.nextInt(256)];
                for (int b = 0; b < f.length; b++) {
                    f[b] = (byte) ('a' + random.nextInt(26));   // letters only: no "<END>" inside
                }
                frames.add(f);
            }
            Pipeline<byte[], byte[]> trip = Pipeline.from(byte[].class).then(framing.encoder()).then(framing.decoder()).build();

            assertThat(run(trip, byte[].class, byte[].class, frames).sent()).as(framing.toString())
                    .containsExactlyElementsOf(frames);
        }
    }

    @Test
    void encodersWriteTheDelimiterOrTheBigEndianLengthField() throws Exception {
        byte[] frame = new byte[300];
        Arrays.fill(frame, (byte) 7);
        byte[] prefixed = run(Framing.lengthPrefix(2, 1000).encoder(), byte[].class, byte[].class, List.of(frame))
                .sent().get(0);
        assertThat(Arrays.copyOf(prefixed, 2)).containsExactly(1, 44);   // 300 = 0x012c
        assertThat(Arrays.copyOfRange(prefixed, 2, prefixed.length)).isEqualTo(frame);
        assertThat(run(Framing.lengthPrefix(4, 1000).encoder(), byte[].class, byte[].class, List.of(new byte[] {9}))
                .sent()).singleElement().isEqualTo(new byte[] {0, 0, 0, 1, 9});
        assertThat(run(Framing.lines(10).encoder(), String.class, byte[].class, List.of("hi")).sent())
                .singleElement().isEqualTo("hi\n".getBytes(UTF_8));
        assertThat(run(Framing.delimiter(new byte[] {0, 0}, 10).encoder(), byte[].class, byte[].class,
                List.of(new byte[] {1})).sent()).singleElement().isEqualTo(new byte[] {1, 0, 0});
    }

    @Test
    void anEncoderRefusesAFrameThatWouldNotArriveIntact() throws Exception {
        assertThat(run(Framing.lines(10).encoder("out"), String.class, byte[].class, List.of("a\nb")).end().cause())
                .isInstanceOf(FramingException.class).hasMessageStartingWith("out: a line of 3 bytes followed by \"\\n\""
                        + " would be cut at byte 1");
        assertThat(run(Framing.lines(10).encoder("out"), String.class, byte[].class, List.of("a\r")).end().cause())
                .isInstanceOf(FramingException.class).hasMessage("out: a line ends with \"\\r\", which the decoder at the"
                        + " other end would drop with the \"\\n\" after it");
        assertThat(run(Framing.lines(2).encoder("out"), String.class, byte[].class, List.of("abc")).end().cause())
                .isInstanceOf(FramingException.class).hasMessage("out: a line of 3 bytes is over the maximum of 2 bytes,"
                        + " which the decoder at the other end would refuse");
        assertThat(run(Framing.delimiter("aba".getBytes(UTF_8), 10).encoder("out"), byte[].class, byte[].class,
                chunks("xab")).end().cause())
                .as("\"xab\" + \"aba\" holds \"aba\" at byte 1").isInstanceOf(FramingException.class)
                .hasMessageContaining("would be cut at byte 1");
        assertThat(run(Framing.lengthPrefix(1, 3).encoder("out"), byte[].class, byte[].class, List.of(new byte[4]))
                .end().cause()).isInstanceOf(FramingException.class)
                .hasMessage("out: a frame of 4 bytes is over the maximum of 3 bytes, which the decoder at the other end"
                        + " would refuse");
    }

    @Test
    void aLengthPrefixDecoderRefusesAFrameCutShortByTheEndOfInput() throws Exception {
        Run<byte[]> run = run(Framing.lengthPrefix(2, 100).decoder("kvs-conn"), byte[].class, byte[].class,
                List.of(new byte[] {0, 1, 5, 0, 4, 1}));

        assertThat(run.sent()).singleElement().isEqualTo(new byte[] {5});
        assertThat(run.end().cause()).isInstanceOf(FramingException.class)
                .hasMessage("kvs-conn: input ended inside a frame: 1 of its 4 bytes came");
    }

    @Test
    void framingsThatCannotWorkAreRefusedWhenMade() {
        assertThatThrownBy(() -> Framing.lengthPrefix(3, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a length field has 1, 2 or 4 bytes, not 3");
        assertThatThrownBy(() -> Framing.lengthPrefix(1, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("with a 1-byte length field the maximum frame length must be between 0 and 255 bytes: 256;"
                        + " use a wider field for longer frames");
        assertThatThrownBy(() -> Framing.lengthPrefix(2, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Framing.delimiter(new byte[0], 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a delimiter needs at least one byte");
        assertThatThrownBy(() -> Framing.lines(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and");
        assertThatThrownBy(() -> Framing.lines(StandardCharsets.UTF_16, true, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-16 does not write '\\n'");
    }

    @Test
    void theDelimiterIsCopiedSoChangingTheArrayLaterChangesNothing() throws Exception {
        byte[] delimiter = {'|'};
        Framing<byte[]> pipes = Framing.delimiter(delimiter, 10);
        delimiter[0] = ';';

        assertThat(run(pipes.decoder(), byte[].class, byte[].class, chunks("a|b;c|")).sent())
                .containsExactly("a".getBytes(UTF_8), "b;c".getBytes(UTF_8));
    }
}
