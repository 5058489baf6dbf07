package dev.weft.actors.net;

import dev.weft.actors.flow.Stage;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/** Frames that end with a delimiter: raw bytes, or lines decoded with a charset. */
final class DelimiterFraming<F> extends Framing<F> {
    private static final byte[] NEWLINE = {'\n'};
    private static final int NO_OPTIONAL_BYTE = -1;

    /** Turns a frame's bytes, a slice valid during the call, into a frame. */
    interface Decode<F> {
        F decode(byte[] bytes, int from, int length);
    }

    private final String unit;
    private final Class<F> type;
    private final byte[] delimiter;
    private final int optional;
    private final int maximum;
    private final boolean strict;
    private final Decode<F> decode;
    private final Function<F, byte[]> encode;

    private DelimiterFraming(String kind, String unit, Class<F> type, byte[] delimiter, int optional, int maximum,
            boolean strict, Decode<F> decode, Function<F, byte[]> encode) {
        super(kind);
        this.unit = unit;
        this.type = type;
        this.delimiter = delimiter;
        this.optional = optional;
        this.maximum = maximum;
        this.strict = strict;
        this.decode = decode;
        this.encode = encode;
    }

    static DelimiterFraming<byte[]> ofBytes(byte[] delimiter, int maximum) {
        Objects.requireNonNull(delimiter, "delimiter");
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("a delimiter needs at least one byte");
        }
        checkMaximum(maximum, delimiter.length + 1);
        return new DelimiterFraming<>("delimiter", "frame", byte[].class, delimiter.clone(), NO_OPTIONAL_BYTE,
                maximum, false, (bytes, from, length) -> Arrays.copyOfRange(bytes, from, from + length), frame -> frame);
    }

    static DelimiterFraming<String> ofLines(Charset charset, boolean stripCarriageReturn, int maximum) {
        Objects.requireNonNull(charset, "charset");
        if (!Arrays.equals("\n".getBytes(charset), NEWLINE) || !Arrays.equals("\r".getBytes(charset), new byte[] {'\r'})) {
            throw new IllegalArgumentException(charset + " does not write '\\n' and '\\r' as the single bytes 0x0a and 0x0d,"
                    + " so lines cannot be cut at byte level; use Framing.delimiter with its encoding of the line end,"
                    + " and decode each frame yourself");
        }
        checkMaximum(maximum, 2);
        return new DelimiterFraming<>("lines", "line", String.class, NEWLINE, stripCarriageReturn ? '\r' : NO_OPTIONAL_BYTE,
                maximum, false, (bytes, from, length) -> new String(bytes, from, length, charset),
                line -> line.getBytes(charset));
    }

    private static void checkMaximum(int maximum, int overhead) {
        if (maximum < 0 || maximum > Integer.MAX_VALUE - 8 - overhead) {
            throw new IllegalArgumentException("the maximum frame length must be between 0 and "
                    + (Integer.MAX_VALUE - 8 - overhead) + " bytes: " + maximum);
        }
    }

    @Override
    public Framing<F> strict() {
        return new DelimiterFraming<>(kind(), unit, type, delimiter, optional, maximum, true, decode, encode);
    }

    @Override
    Stage<byte[], F> decoder(String name, SocketAdapter connection) {
        return new Decoder<>(name, this, connection);
    }

    @Override
    Stage<F, byte[]> encoder(String name, SocketAdapter connection) {
        return new Encoder<>(name, this, connection);
    }

    @Override
    public String toString() {
        return kind() + "(" + DelimiterCutter.show(delimiter) + (optional >= 0 ? " after an optional "
                + DelimiterCutter.show(new byte[] {(byte) optional}) : "") + ", at most " + maximum + " bytes"
                + (strict ? ", strict" : "") + ")";
    }

    private static final class Decoder<F> extends FramingStage<byte[], F> {
        private final DelimiterCutter cutter;
        private final boolean strict;
        private final DelimiterCutter.Frames send;

        Decoder(String name, DelimiterFraming<F> framing, SocketAdapter connection) {
            super(name, byte[].class, framing.type, connection);
            this.cutter = new DelimiterCutter(framing.delimiter, framing.optional, framing.maximum, name, framing.unit);
            this.strict = framing.strict;
            Decode<F> decode = framing.decode;
            this.send = (bytes, from, length) -> outbox.send(decode.decode(bytes, from, length));
        }

        @Override
        void frame(byte[] chunk) throws Exception {
            cutter.feed(chunk, send);
        }

        @Override
        void end() throws Exception {
            cutter.finish(strict, send);
        }
    }

    private static final class Encoder<F> extends FramingStage<F, byte[]> {
        private final DelimiterFraming<F> framing;

        Encoder(String name, DelimiterFraming<F> framing, SocketAdapter connection) {
            super(name, framing.type, byte[].class, connection);
            this.framing = framing;
        }

        @Override
        void frame(F frame) throws Exception {
            byte[] bytes = framing.encode.apply(frame);
            byte[] delimiter = framing.delimiter;
            if (bytes.length > framing.maximum) {
                throw new FramingException(name() + ": a " + framing.unit + " of " + bytes.length
                        + " bytes is over the maximum of " + framing.maximum + " bytes, which the decoder at the other end"
                        + " would refuse");
            }
            if (framing.optional >= 0 && bytes.length > 0 && bytes[bytes.length - 1] == (byte) framing.optional) {
                throw new FramingException(name() + ": a " + framing.unit + " ends with "
                        + DelimiterCutter.show(new byte[] {(byte) framing.optional}) + ", which the decoder at the other end"
                        + " would drop with the " + DelimiterCutter.show(delimiter) + " after it");
            }
            byte[] chunk = Arrays.copyOf(bytes, bytes.length + delimiter.length);
            System.arraycopy(delimiter, 0, chunk, bytes.length, delimiter.length);
            int cut = DelimiterCutter.indexOf(chunk, 0, delimiter);
            if (cut != bytes.length) {
                throw new FramingException(name() + ": a " + framing.unit + " of " + bytes.length + " bytes followed by "
                        + DelimiterCutter.show(delimiter) + " would be cut at byte " + cut + ", as it holds the delimiter"
                        + " (or ends with its start); escape it, or use Framing.lengthPrefix for frames of any bytes");
            }
            outbox.send(chunk);
        }
    }
}
