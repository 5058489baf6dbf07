package dev.weft.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The messages a link's sender has queued, packed as they come into DATA frames of at most
 * {@link Wire#BATCH_BYTES} (one message at least): each message is copied once, into its frame, when
 * it is queued, so the caller may reuse the array its codec returned as soon as the send returns.
 * Not thread-safe: its owner guards it.
 */
final class Batcher {
    /*
     * `open` is the frame being filled: DATA_HEADER bytes left free for the kind and the count, then
     * (length, bytes) per message. A message that would take it over BATCH_BYTES seals it into
     * `sealed` first. next() hands out the oldest sealed frame, else the open one, trimmed to size.
     */
    private final ArrayDeque<byte[]> sealed = new ArrayDeque<>();
    private ByteBuffer open;
    private int count;

    boolean isEmpty() {
        return count == 0 && sealed.isEmpty();
    }

    void add(byte[] payload) {
        int need = 4 + payload.length;
        if (count > 0 && open.position() + need > Wire.BATCH_BYTES) {
            sealed.add(seal());
        }
        if (open == null) {
            open = ByteBuffer.allocate(Math.max(Wire.DATA_HEADER + need, 1024)).position(Wire.DATA_HEADER);
        } else if (open.remaining() < need) {
            int size = Math.max(open.position() + need, Math.min(2 * open.capacity(), Wire.BATCH_BYTES));
            open = ByteBuffer.allocate(size).put(open.flip());
        }
        open.putInt(payload.length).put(payload);
        count++;
    }

    /** Removes and returns the oldest frame; call it only when not {@link #isEmpty()}. */
    byte[] next() {
        return sealed.isEmpty() ? seal() : sealed.remove();
    }

    /** Drops every queued message. */
    void clear() {
        sealed.clear();
        open = null;
        count = 0;
    }

    private byte[] seal() {
        open.put(0, Wire.DATA).putInt(1, count);
        byte[] frame = Arrays.copyOf(open.array(), open.position());
        open.clear().position(Wire.DATA_HEADER);
        count = 0;
        return frame;
    }
}
