package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The length-prefix cutter alone, fed every way a stream can be cut into chunks. */
class LengthPrefixCutterTest {
    private static final int SEEDS = 30;
    private static final int STREAM_BYTES = 200_000;

    /** Encodes frames as the peer would: each after its big-endian length. */
    private static byte[] encode(int fieldBytes, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            for (int i = fieldBytes - 1; i >= 0; i--) {
                out.write(frame.length >>> 8 * i);
            }
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    private static List<byte[]> feed(LengthPrefixCutter cutter, byte[] stream, int... cuts) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            cutter.feed(Arrays.copyOfRange(stream, from, cut), frames::add);
            from = cut;
        }
        cutter.feed(Arrays.copyOfRange(stream, from, stream.length), frames::add);
        cutter.finish();
        return frames;
    }

    private static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        new Random(seed).nextBytes(f);
        return f;
    }

    @Test
    void everyTwoAndThreeChunkSplitGivesTheSameFramesForEveryFieldSize() throws Exception {
        for (int fieldBytes : new int[] {1, 2, 4}) {
            List<byte[]> frames = List.of(frame(3, 1), new byte[0], frame(1, 2), frame(200, 3), new byte[0]);
            byte[] stream = encode(fieldBytes, frames);
            for (int i = 0; i <= stream.length; i++) {
                assertThat(feed(new LengthPrefixCutter(fieldBytes, 255, "t"), stream, i))
                        .as("field %d, split at %d", fieldBytes, i).containsExactlyElementsOf(frames);
                for (int j = i; j <= stream.length; j++) {
                    assertThat(feed(new LengthPrefixCutter(fieldBytes, 255, "t"), stream, i, j))
                            .as("field %d, split at %d and %d", fieldBytes, i, j).containsExactlyElementsOf(frames);
                }
            }
        }
    }

    @Test
    void aFrameOfExactlyTheMaximumPassesAndOneByteMoreIsRefusedAsSoonAsItsLengthArrives() throws Exception {
        for (int fieldBytes : new int[] {1, 2, 4}) {
            int maximum = fieldBytes == 1 ? 255 : 1000;
            byte[] ok = frame(maximum, 7);
            assertThat(feed(new LengthPrefixCutter(fieldBytes, maximum, "t"), encode(fieldBytes, List.of(ok))))
                    .containsExactly(ok);
            if (fieldBytes == 1) {
                continue;   // a 1-byte field cannot announce 256
            }
            byte[] header = Arrays.copyOf(encode(fieldBytes, List.of(frame(maximum + 1, 7))), fieldBytes);
            LengthPrefixCutter cutter = new LengthPrefixCutter(fieldBytes, maximum, "conn-9");
            assertThatThrownBy(() -> cutter.feed(header, f -> { }))
                    .as("refused before any byte of the frame came").isInstanceOf(FramingException.class)
                    .hasMessage("conn-9: a frame of 1001 bytes was announced, over the maximum of 1000 bytes;"
                            + " raise the maximum if such frames are expected");
        }
    }

    @Test
    void aFourByteLengthIsUnsigned() {
        LengthPrefixCutter cutter = new LengthPrefixCutter(4, 1 << 20, "t");

        assertThatThrownBy(() -> cutter.feed(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, f -> { }))
                .isInstanceOf(FramingException.class).hasMessageContaining("a frame of 4294967295 bytes was announced");
    }

    @Test
    void inputEndingInsideALengthFieldOrAFrameIsRefused() throws Exception {
        LengthPrefixCutter inField = new LengthPrefixCutter(4, 100, "t");
        inField.feed(new byte[] {0, 0}, f -> { });
        assertThatThrownBy(inField::finish).isInstanceOf(FramingException.class)
                .hasMessage("t: input ended inside a length field: 2 of its 4 bytes came");

        LengthPrefixCutter inFrame = new LengthPrefixCutter(2, 100, "t");
        inFrame.feed(new byte[] {0, 10, 1, 2, 3}, f -> { });
        assertThat(inFrame.held()).isEqualTo(3);
        assertThatThrownBy(inFrame::finish).isInstanceOf(FramingException.class)
                .hasMessage("t: input ended inside a frame: 3 of its 10 bytes came");
    }

    @Test
    void aLargeRandomStreamCutAtRandomGivesBackEveryFrameForEverySeed() throws Exception {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            int fieldBytes = new int[] {1, 2, 4}[seed % 3];
            int maximum = fieldBytes == 1 ? 255 : 5000;
            List<byte[]> frames = new ArrayList<>();
            for (int total = 0; total < STREAM_BYTES; ) {
                byte[] f = frame(random.nextInt(10) == 0 ? 0 : random.nextInt(maximum + 1), random.nextInt());
                frames.add(f);
                total += f.length + fieldBytes;
            }
            byte[] stream = encode(fieldBytes, frames);
            List<Integer> cuts = new ArrayList<>();
            for (int at = random.nextInt(20); at < stream.length; at += random.nextInt(random.nextBoolean() ? 6 : 20_000)) {
                cuts.add(at);
            }

            List<byte[]> out = feed(new LengthPrefixCutter(fieldBytes, maximum, "t"), stream,
                    cuts.stream().mapToInt(Integer::intValue).toArray());

            assertThat(out).as("seed %d, field %d", seed, fieldBytes).containsExactlyElementsOf(frames);
        }
    }
}
