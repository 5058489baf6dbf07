package dev.weft.actors.net;

import java.util.Arrays;

/**
 * Cuts a stream of chunks into the frames between delimiters, whatever the chunks' boundaries. One
 * cutter serves one stream; it is not thread-safe.
 */
final class DelimiterCutter {
    /*
     * The cutter holds the bytes after the last delimiter (held[0, length)); they never contain a
     * whole delimiter. A new chunk is searched where a delimiter may end: first at the (at most d-1)
     * positions where one starts in the held tail and ends in the chunk, then inside the chunk. The
     * first frame of a chunk may thus be the held bytes, or the held bytes and the chunk's head
     * (copied after them); every later frame is a slice of the chunk itself, handed out without
     * copying, and only the chunk's tail after its last delimiter is copied into held.
     *
     * Memory stays bounded: a frame's bytes are at least (held bytes) - (d - 1) - (optional byte),
     * because a delimiter can have begun only in the last d-1 held bytes. Holding more than
     * maximum + optional + d - 1 bytes therefore proves the frame too long, so held never grows past
     * that, and a frame over the maximum is refused as soon as that is certain: at its delimiter, or
     * once enough bytes without one have come.
     */
    /** Receives each frame as a slice that is valid only during the call. */
    interface Frames {
        void frame(byte[] bytes, int from, int length) throws Exception;
    }

    private static final byte[] NONE = new byte[0];
    private final byte[] delimiter;
    private final int optional;
    private final int maximum;
    private final int holdLimit;
    private final String who;
    private final String unit;
    private byte[] held = NONE;
    private int length;

    /**
     * @param delimiter what ends a frame, not part of it
     * @param optional a byte that belongs to the delimiter when it comes right before it ({@code '\r'}
     *     before {@code '\n'}), or -1
     * @param maximum the longest frame allowed, delimiter and optional byte not counted
     * @param who the stage, for errors
     * @param unit what a frame is called in errors ("frame", "line")
     */
    DelimiterCutter(byte[] delimiter, int optional, int maximum, String who, String unit) {
        this.delimiter = delimiter;
        this.optional = optional;
        this.maximum = maximum;
        this.holdLimit = maximum + (optional >= 0 ? 1 : 0) + delimiter.length - 1;
        this.who = who;
        this.unit = unit;
    }

    /** Returns how many bytes wait for their delimiter. */
    int held() {
        return length;
    }

    /** Cuts {@code chunk} and hands every frame it completes to {@code out}, in order. */
    void feed(byte[] chunk, Frames out) throws Exception {
        int d = delimiter.length;
        int pos = 0;
        if (length > 0) {
            int end = spanningEnd(chunk);
            if (end >= 0) {
                int frame = length + end - d;
                length = 0;
                emit(held, 0, frame, out);
                pos = end;
            } else {
                int at = indexOf(chunk, 0);
                if (at < 0) {
                    hold(chunk, 0, chunk.length);
                    return;
                }
                if (length + at > holdLimit) {
                    throw tooLong();
                }
                hold(chunk, 0, at);
                int frame = length;
                length = 0;
                emit(held, 0, frame, out);
                pos = at + d;
            }
        }
        for (int at; (at = indexOf(chunk, pos)) >= 0; pos = at + d) {
            emit(chunk, pos, at - pos, out);
        }
        hold(chunk, pos, chunk.length - pos);
    }

    /**
     * Ends the stream: the held bytes, if any, are an unterminated frame. {@code strict} refuses it;
     * otherwise it goes to {@code out} as the last frame, as it is (an optional byte at its end stays,
     * as no delimiter follows it).
     */
    void finish(boolean strict, Frames out) throws Exception {
        if (length == 0) {
            return;
        }
        int frame = length;
        length = 0;
        if (strict) {
            throw new FramingException(who + ": input ended inside a " + unit + ": " + frame
                    + " bytes came after the last delimiter " + show(delimiter)
                    + ", and strict framing refuses an unterminated " + unit);
        }
        if (frame > maximum) {
            throw tooLong();
        }
        out.frame(held, 0, frame);
    }

    /** Returns the index in {@code chunk} just past a delimiter that starts in the held bytes, or -1. */
    private int spanningEnd(byte[] chunk) {
        int d = delimiter.length;
        for (int start = Math.max(0, length - d + 1); start < length; start++) {
            int inHeld = length - start;
            int inChunk = d - inHeld;
            if (inChunk <= chunk.length
                    && Arrays.equals(held, start, length, delimiter, 0, inHeld)
                    && Arrays.equals(chunk, 0, inChunk, delimiter, inHeld, d)) {
                return inChunk;
            }
        }
        return -1;
    }

    private int indexOf(byte[] chunk, int from) {
        return indexOf(chunk, from, delimiter);
    }

    /** Returns where {@code pattern} first occurs in {@code bytes} at or after {@code from}, or -1. */
    static int indexOf(byte[] bytes, int from, byte[] pattern) {
        byte first = pattern[0];
        for (int i = from, last = bytes.length - pattern.length; i <= last; i++) {
            if (bytes[i] == first && Arrays.equals(bytes, i + 1, i + pattern.length, pattern, 1, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    /** Shows bytes for an error message, quoted, with control and non-ASCII bytes escaped: {@code "\r\n"}, {@code "\x00"}. */
    static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (byte b : bytes) {
            switch (b) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"', '\\' -> s.append('\\').append((char) b);
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        s.append((char) b);
                    } else {
                        s.append(String.format("\\x%02x", b & 0xff));
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    private void emit(byte[] bytes, int from, int frame, Frames out) throws Exception {
        if (optional >= 0 && frame > 0 && bytes[from + frame - 1] == (byte) optional) {
            frame--;
        }
        if (frame > maximum) {
            throw tooLong();
        }
        out.frame(bytes, from, frame);
    }

    private void hold(byte[] chunk, int from, int n) throws FramingException {
        int total = length + n;
        if (total > holdLimit) {
            throw tooLong();
        }
        if (total > held.length) {
            held = Arrays.copyOf(held, Math.max(total, Math.min(holdLimit, 2 * held.length)));
        }
        System.arraycopy(chunk, from, held, length, n);
        length = total;
    }

    private FramingException tooLong() {
        return new FramingException(who + ": a " + unit + " longer than the maximum of " + maximum
                + " bytes came in (no delimiter " + show(delimiter) + " within " + maximum
                + " bytes); raise the maximum if such " + unit + "s are expected");
    }
}
