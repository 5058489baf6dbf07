package dev.weft.actors.net;

import dev.weft.actors.flow.Stage;

/** Frames that each follow their length, a big-endian number of 1, 2 or 4 bytes. */
final class LengthPrefixFraming extends Framing<byte[]> {
    /** The longest array a JVM reliably allocates. */
    private static final int LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    private final int fieldBytes;
    private final int maximum;

    LengthPrefixFraming(int fieldBytes, int maximum) {
        super("length-prefix");
        if (fieldBytes != 1 && fieldBytes != 2 && fieldBytes != 4) {
            throw new IllegalArgumentException("a length field has 1, 2 or 4 bytes, not " + fieldBytes);
        }
        long largest = fieldBytes == 4 ? LARGEST_ARRAY - 4 : (1L << 8 * fieldBytes) - 1;
        if (maximum < 0 || maximum > largest) {
            throw new IllegalArgumentException("with a " + fieldBytes + "-byte length field the maximum frame length must be"
                    + " between 0 and " + largest + " bytes: " + maximum
                    + (fieldBytes < 4 ? "; use a wider field for longer frames" : ""));
        }
        this.fieldBytes = fieldBytes;
        this.maximum = maximum;
    }

    /** Returns this framing: a frame cut short is never sent, so a length prefix is always strict. */
    @Override
    public Framing<byte[]> strict() {
        return this;
    }

    @Override
    Stage<byte[], byte[]> decoder(String name, SocketAdapter connection) {
        return new Decoder(name, this, connection);
    }

    @Override
    Stage<byte[], byte[]> encoder(String name, SocketAdapter connection) {
        return new Encoder(name, this, connection);
    }

    @Override
    public String toString() {
        return "length-prefix(" + fieldBytes + " bytes, at most " + maximum + " bytes)";
    }

    private static final class Decoder extends FramingStage<byte[], byte[]> {
        private final LengthPrefixCutter cutter;
        private final LengthPrefixCutter.Frames send = outbox::send;

        Decoder(String name, LengthPrefixFraming framing, SocketAdapter connection) {
            super(name, byte[].class, byte[].class, connection);
            this.cutter = new LengthPrefixCutter(framing.fieldBytes, framing.maximum, name);
        }

        @Override
        void frame(byte[] chunk) throws Exception {
            cutter.feed(chunk, send);
        }

        @Override
        void end() throws FramingException {
            cutter.finish();
        }
    }

    private static final class Encoder extends FramingStage<byte[], byte[]> {
        private final int fieldBytes;
        private final int maximum;

        Encoder(String name, LengthPrefixFraming framing, SocketAdapter connection) {
            super(name, byte[].class, byte[].class, connection);
            this.fieldBytes = framing.fieldBytes;
            this.maximum = framing.maximum;
        }

        @Override
        void frame(byte[] frame) throws Exception {
            if (frame.length > maximum) {
                throw new FramingException(name() + ": a frame of " + frame.length + " bytes is over the maximum of "
                        + maximum + " bytes, which the decoder at the other end would refuse");
            }
            byte[] chunk = new byte[fieldBytes + frame.length];
            for (int i = 0; i < fieldBytes; i++) {
                chunk[i] = (byte) (frame.length >>> 8 * (fieldBytes - 1 - i));
            }
            System.arraycopy(frame, 0, chunk, fieldBytes, frame.length);
            outbox.send(chunk);
        }
    }
}
