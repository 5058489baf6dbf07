package dev.weft.kvs;

import java.util.Arrays;

/**
 * Cuts a byte stream that arrives in arbitrary chunks into frame bodies. Holds at most one frame
 * (at most {@code maxBody} plus its header) beyond what the caller has taken: a length prefix over
 * the limit is refused as soon as its four bytes are in, before anything is buffered for it.
 */
final class FrameDecoder {
    /** A length prefix over the limit. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(long length, int max) {
            super("a frame of " + length + " bytes is over the limit of " + max + " bytes");
        }
    }

    private final int maxBody;
    private byte[] buf = new byte[256];
    private int start;
    private int end;

    FrameDecoder(int maxBody) {
        this.maxBody = maxBody;
    }

    /** Adds bytes read from the stream. */
    void feed(byte[] chunk) {
        if (end + chunk.length > buf.length) {
            int held = end - start;
            // Never hold more than one maximal frame plus one chunk.
            int need = held + chunk.length;
            byte[] target = need > buf.length ? new byte[Math.max(need, Math.min(buf.length * 2, maxBody + Wire.HEADER))] : buf;
            System.arraycopy(buf, start, target, 0, held);
            buf = target;
            start = 0;
            end = held;
        }
        System.arraycopy(chunk, 0, buf, end, chunk.length);
        end += chunk.length;
    }

    /**
     * Returns the next complete frame body, or null if more bytes are needed.
     *
     * @throws TooLarge if the next frame's length is over the limit
     * @throws Wire.Malformed if the next frame's length is too small to hold a body
     */
    byte[] next() {
        if (end - start < Wire.HEADER) {
            return null;
        }
        long length = ((buf[start] & 0xffL) << 24) | ((buf[start + 1] & 0xff) << 16)
                | ((buf[start + 2] & 0xff) << 8) | (buf[start + 3] & 0xff);
        if (length > maxBody) {
            throw new TooLarge(length, maxBody);
        }
        if (length < Wire.MIN_BODY) {
            throw new Wire.Malformed("a frame length of " + length + " is below the minimum of " + Wire.MIN_BODY);
        }
        if (end - start < Wire.HEADER + length) {
            return null;
        }
        int from = start + Wire.HEADER;
        start = from + (int) length;
        byte[] body = Arrays.copyOfRange(buf, from, start);
        if (start == end) {
            start = 0;
            end = 0;
            if (buf.length > 64 * 1024) {
                buf = new byte[256];           // give back the room a large frame needed
            }
        }
        return body;
    }
}
