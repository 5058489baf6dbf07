package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DATA frames packed by the sender's Batcher, read back by the receiver's Wire.payloads. */
class BatcherTest {

    @Test
    void messagesComeBackInOrderInFramesWithinTheByteCap() throws Exception {
        Batcher batcher = new Batcher();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            byte[] m = ByteBuffer.allocate(4 + i % 300).putInt(i).array(); // sizes 4..303 bytes
            sent.add(m.clone());
            batcher.add(m);
            m[0] = (byte) 0xff; // the caller reuses its array: the queued copy must not change
        }

        List<byte[]> received = new ArrayList<>();
        int frames = 0;
        while (!batcher.isEmpty()) {
            byte[] frame = batcher.next();
            assertThat(frame.length).isLessThanOrEqualTo(Wire.BATCH_BYTES);
            received.addAll(List.of(Wire.payloads(frame)));
            frames++;
        }

        assertThat(received).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(received.get(i)).as("message %d", i).isEqualTo(sent.get(i));
        }
        assertThat(frames).as("about 780 KB in frames of at most 64 KiB").isBetween(12, 14);
    }

    @Test
    void aMessageLargerThanTheCapTravelsAloneAndTheBatcherStartsAfresh() throws Exception {
        Batcher batcher = new Batcher();
        byte[] large = new byte[Wire.BATCH_BYTES * 2];
        large[large.length - 1] = 7;
        batcher.add(new byte[] {1});
        batcher.add(large);
        batcher.add(new byte[] {2});

        assertThat(Wire.payloads(batcher.next())).isDeepEqualTo(new byte[][] {{1}});
        assertThat(Wire.payloads(batcher.next())).isDeepEqualTo(new byte[][] {large});
        assertThat(Wire.payloads(batcher.next())).isDeepEqualTo(new byte[][] {{2}});
        assertThat(batcher.isEmpty()).isTrue();

        batcher.add(new byte[] {3});
        batcher.clear();
        assertThat(batcher.isEmpty()).as("clear drops what was queued").isTrue();
        batcher.add(new byte[] {4});
        assertThat(Wire.payloads(batcher.next())).isDeepEqualTo(new byte[][] {{4}});
    }
}
