package dev.weft.actors.net;

/**
 * Cuts a stream of chunks into frames that each follow a big-endian length field of 1, 2 or 4 bytes,
 * whatever the chunks' boundaries. One cutter serves one stream; it is not thread-safe.
 */
final class LengthPrefixCutter {
    /*
     * Two states: reading the length field (fieldHave bytes of it so far, accumulated in field), or
     * filling a frame. A frame's array is allocated once its length is known and checked against the
     * maximum, so a peer can make the cutter hold at most one maximum-sized frame, and a frame is
     * filled straight from the chunks (one copy) and handed out as it is.
     */
    /** Receives each frame; the array changes hands. */
    interface Frames {
        void frame(byte[] frame) throws Exception;
    }

    private static final byte[] EMPTY = new byte[0];
    private final int fieldBytes;
    private final int maximum;
    private final String who;
    private int fieldHave;
    private long field;
    private byte[] frame;
    private int filled;

    LengthPrefixCutter(int fieldBytes, int maximum, String who) {
        this.fieldBytes = fieldBytes;
        this.maximum = maximum;
        this.who = who;
    }

    /** Returns how many bytes of an unfinished length field or frame the cutter holds. */
    int held() {
        return frame != null ? filled : fieldHave;
    }

    /** Cuts {@code chunk} and hands every frame it completes to {@code out}, in order. */
    void feed(byte[] chunk, Frames out) throws Exception {
        int pos = 0;
        while (pos < chunk.length) {
            if (frame == null) {
                while (fieldHave < fieldBytes && pos < chunk.length) {
                    field = field << 8 | (chunk[pos++] & 0xff);
                    fieldHave++;
                }
                if (fieldHave < fieldBytes) {
                    return;
                }
                if (field > maximum) {
                    throw new FramingException(who + ": a frame of " + field + " bytes was announced, over the maximum of "
                            + maximum + " bytes; raise the maximum if such frames are expected");
                }
                frame = field == 0 ? EMPTY : new byte[(int) field];
                filled = 0;
                fieldHave = 0;
                field = 0;
            }
            int take = Math.min(frame.length - filled, chunk.length - pos);
            System.arraycopy(chunk, pos, frame, filled, take);
            filled += take;
            pos += take;
            if (filled == frame.length) {
                byte[] done = frame;
                frame = null;
                out.frame(done);
            }
        }
    }

    /** Ends the stream; a length field or frame cut short is refused. */
    void finish() throws FramingException {
        if (fieldHave > 0) {
            throw new FramingException(who + ": input ended inside a length field: " + fieldHave + " of its "
                    + fieldBytes + " bytes came");
        }
        if (frame != null) {
            throw new FramingException(who + ": input ended inside a frame: " + filled + " of its " + frame.length
                    + " bytes came");
        }
    }
}
