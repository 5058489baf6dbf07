package dev.weft.actors.net;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The delimiter cutter alone, fed every way a stream can be cut into chunks. */
class DelimiterCutterTest {
    private static final int SEEDS = 40;
    private static final int STREAM_BYTES = 20_000;
    private static final int NO_OPTIONAL = -1;

    /** What a cutter made of a stream: the frames, then how it ended ("end" or the error). */
    record Outcome(List<String> frames, String end) {
    }

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    /** Feeds {@code chunks} to a fresh cutter and finishes it. */
    private static Outcome cut(String delimiter, int optional, int maximum, boolean strict, List<byte[]> chunks) {
        DelimiterCutter cutter = new DelimiterCutter(bytes(delimiter), optional, maximum, "test-decoder", "frame");
        List<String> frames = new ArrayList<>();
        DelimiterCutter.Frames out = (b, from, length) -> frames.add(new String(b, from, length, ISO_8859_1));
        int holdLimit = maximum + (optional >= 0 ? 1 : 0) + delimiter.length() - 1;
        try {
            for (byte[] chunk : chunks) {
                cutter.feed(chunk, out);
                assertThat(cutter.held()).as("bytes held stay bounded").isLessThanOrEqualTo(holdLimit);
            }
            cutter.finish(strict, out);
            return new Outcome(frames, "end");
        } catch (FramingException e) {
            return new Outcome(frames, e.getMessage());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The same, as the reference sees it: the whole stream at once, split by the earliest match. */
    private static Outcome reference(String delimiter, int optional, int maximum, boolean strict, String stream) {
        List<String> frames = new ArrayList<>();
        int pos = 0;
        for (int at; (at = stream.indexOf(delimiter, pos)) >= 0; pos = at + delimiter.length()) {
            String frame = stream.substring(pos, at);
            if (optional >= 0 && frame.endsWith(String.valueOf((char) optional))) {
                frame = frame.substring(0, frame.length() - 1);
            }
            if (frame.length() > maximum) {
                return new Outcome(frames, "too long");
            }
            frames.add(frame);
        }
        String rest = stream.substring(pos);
        if (!rest.isEmpty()) {
            int holdLimit = maximum + (optional >= 0 ? 1 : 0) + delimiter.length() - 1;
            if (strict) {   // refused as too long once that is certain, before the end
                return new Outcome(frames, rest.length() > holdLimit ? "too long" : "unterminated");
            }
            if (rest.length() > maximum) {
                return new Outcome(frames, "too long");
            }
            frames.add(rest);
        }
        return new Outcome(frames, "end");
    }

    /** Maps an error message to the reference's short names. */
    private static Outcome normalized(Outcome o) {
        String end = o.end().contains("longer than the maximum") ? "too long"
                : o.end().contains("input ended inside a frame") ? "unterminated"
                : o.end();
        return new Outcome(o.frames(), end);
    }

    private static List<byte[]> split(byte[] stream, int... cuts) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            chunks.add(Arrays.copyOfRange(stream, from, cut));
            from = cut;
        }
        chunks.add(Arrays.copyOfRange(stream, from, stream.length));
        return chunks;
    }

    @Test
    void everyTwoAndThreeChunkSplitOfAStreamGivesTheSameFrames() {
        for (String delimiter : List.of("\n", "\r\n", "END", "aab")) {
            String stream = "ab" + delimiter + delimiter + "c" + delimiter + "aaab" + delimiter + "tail";
            byte[] all = bytes(stream);
            Outcome expected = reference(delimiter, NO_OPTIONAL, 100, false, stream);
            assertThat(expected.frames()).as("the reference itself").contains("", "tail");
            for (int i = 0; i <= all.length; i++) {
                assertThat(cut(delimiter, NO_OPTIONAL, 100, false, split(all, i)))
                        .as("delimiter %s split at %d", DelimiterCutter.show(bytes(delimiter)), i).isEqualTo(expected);
                for (int j = i; j <= all.length; j++) {
                    assertThat(cut(delimiter, NO_OPTIONAL, 100, false, split(all, i, j)))
                            .as("delimiter %s split at %d and %d", DelimiterCutter.show(bytes(delimiter)), i, j)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aSelfOverlappingDelimiterIsFoundAtItsEarliestEndAcrossChunks() {
        assertThat(cut("aab", NO_OPTIONAL, 10, false, List.of(bytes("xa"), bytes("a"), bytes("ab"), bytes("y"))))
                .isEqualTo(new Outcome(List.of("xa", "y"), "end"));
    }

    @Test
    void emptyFramesComeOutAsEmptyAndAStreamEndingAtADelimiterHasNoExtraFrame() {
        assertThat(cut("\n", NO_OPTIONAL, 10, true, List.of(bytes("\n\n"), bytes("a\n"), bytes("\n"))))
                .isEqualTo(new Outcome(List.of("", "", "a", ""), "end"));
        assertThat(cut("\r\n", NO_OPTIONAL, 10, false, List.of(bytes("\r"), bytes("\n\r"), bytes("\n"))))
                .isEqualTo(new Outcome(List.of("", ""), "end"));
    }

    @Test
    void anUnterminatedLastFrameIsSentByDefaultAndRefusedWhenStrict() {
        List<byte[]> chunks = List.of(bytes("one\ntw"), bytes("o"));

        assertThat(cut("\n", NO_OPTIONAL, 10, false, chunks)).isEqualTo(new Outcome(List.of("one", "two"), "end"));
        Outcome strict = cut("\n", NO_OPTIONAL, 10, true, chunks);
        assertThat(strict.frames()).containsExactly("one");
        assertThat(strict.end()).isEqualTo("test-decoder: input ended inside a frame: 3 bytes came after the last"
                + " delimiter \"\\n\", and strict framing refuses an unterminated frame");
    }

    @Test
    void aCarriageReturnBeforeTheDelimiterIsDroppedButNotOneEndingTheStream() {
        Outcome o = cut("\n", '\r', 10, false, List.of(bytes("a\r"), bytes("\nb\n\r\r\nc\r")));

        assertThat(o).isEqualTo(new Outcome(List.of("a", "b", "\r", "c\r"), "end"));
    }

    @Test
    void aFrameOfExactlyTheMaximumPassesAndOneByteMoreFails() {
        for (String delimiter : List.of("\n", "\r\n", "<<END>>")) {
            for (boolean terminated : List.of(true, false)) {
                String ok = "x".repeat(8) + (terminated ? delimiter : "");
                String over = "x".repeat(9) + (terminated ? delimiter : "");
                for (List<byte[]> chunks : List.of(List.of(bytes(ok)), bytewise(ok))) {
                    assertThat(cut(delimiter, NO_OPTIONAL, 8, false, chunks))
                            .as("%s, terminated: %s", delimiter, terminated)
                            .isEqualTo(new Outcome(List.of("x".repeat(8)), "end"));
                }
                for (List<byte[]> chunks : List.of(List.of(bytes(over)), bytewise(over))) {
                    Outcome o = cut(delimiter, NO_OPTIONAL, 8, false, chunks);
                    assertThat(o.frames()).isEmpty();
                    assertThat(o.end()).as("%s, terminated: %s", delimiter, terminated)
                            .startsWith("test-decoder: a frame longer than the maximum of 8 bytes came in");
                }
            }
        }
    }

    @Test
    void theMaximumOfALineWithACarriageReturnCountsTheLineOnly() {
        assertThat(cut("\n", '\r', 3, false, List.of(bytes("abc\r\n")))).isEqualTo(new Outcome(List.of("abc"), "end"));
        assertThat(normalized(cut("\n", '\r', 3, false, List.of(bytes("abcd\n"))))).isEqualTo(
                new Outcome(List.of(), "too long"));
        assertThat(normalized(cut("\n", '\r', 3, false, List.of(bytes("abc\r")))))
                .as("a \\r that ends the stream is part of the last line").isEqualTo(new Outcome(List.of(), "too long"));
    }

    @Test
    void bytesThatNeverMeetADelimiterFailAsSoonAsTheyCannotFitAndNoLater() throws Exception {
        int maximum = 100;
        for (String delimiter : List.of("\n", "\r\n", "<<END>>")) {
            DelimiterCutter cutter = new DelimiterCutter(bytes(delimiter), NO_OPTIONAL, maximum, "slow-peer", "frame");
            int fed = 0;
            try {
                for (; fed < 10 * maximum; fed++) {
                    cutter.feed(new byte[] {'x'}, (b, from, length) -> {
                        throw new AssertionError("no frame expected");
                    });
                }
                throw new AssertionError("never refused");
            } catch (FramingException refused) {
                assertThat(fed).as("the byte that made the frame certainly too long, with %s", delimiter)
                        .isEqualTo(maximum + delimiter.length() - 1);
                assertThat(refused).hasMessageContaining("slow-peer").hasMessageContaining("maximum of 100 bytes");
            }
        }
    }

    @Test
    void aLargeRandomStreamCutAtRandomGivesTheReferenceFramesForEverySeed() {
        List<String> delimiters = List.of("\n", "\r\n", "aab", "abab", "END", "\u0000\u0000\u0001");
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            String delimiter = delimiters.get(seed % delimiters.size());
            int optional = delimiter.equals("\n") && random.nextBoolean() ? '\r' : NO_OPTIONAL;
            int maximum = 1 + random.nextInt(300);
            boolean strict = random.nextBoolean();
            String alphabet = "ab\r\nEND\u0000\u0001x";
            StringBuilder stream = new StringBuilder();
            while (stream.length() < STREAM_BYTES) {
                int frame = random.nextInt(maximum + maximum / 20 + 2);   // a few are too long
                if (random.nextInt(8) > 0) {
                    frame = Math.min(frame, maximum - 1);
                }
                for (int i = 0; i < frame; i++) {
                    stream.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                stream.append(delimiter);
            }
            if (random.nextBoolean()) {
                stream.append("tail");
            }
            byte[] all = bytes(stream.toString());
            List<Integer> cuts = new ArrayList<>();
            for (int at = random.nextInt(50); at < all.length; at += random.nextInt(random.nextBoolean() ? 8 : 4000)) {
                cuts.add(at);
            }
            Outcome expected = reference(delimiter, optional, maximum, strict, stream.toString());
            Outcome actual = normalized(cut(delimiter, optional, maximum, strict,
                    split(all, cuts.stream().mapToInt(Integer::intValue).toArray())));

            assertThat(actual).as("seed %d: delimiter %s, maximum %d, strict %s", seed,
                    DelimiterCutter.show(bytes(delimiter)), maximum, strict).isEqualTo(expected);
        }
    }

    private static List<byte[]> bytewise(String s) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : bytes(s)) {
            chunks.add(new byte[] {b});
        }
        return chunks;
    }

    @Test
    void delimitersAreShownEscapedInErrors() {
        assertThat(DelimiterCutter.show(bytes("\r\n"))).isEqualTo("\"\\r\\n\"");
        assertThat(DelimiterCutter.show(new byte[] {0, 'A', (byte) 0xff, '"'})).isEqualTo("\"\\x00A\\xff\\\"\"");
    }

    @Test
    void anEmptyChunkChangesNothing() {
        assertThat(cut("\r\n", NO_OPTIONAL, 10, false, List.of(bytes("a\r"), new byte[0], bytes("\nb"))))
                .isEqualTo(new Outcome(List.of("a", "b"), "end"));
    }
}
