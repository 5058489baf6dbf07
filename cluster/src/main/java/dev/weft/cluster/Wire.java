package dev.weft.cluster;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The link protocol: one gRPC bidirectional-streaming method whose messages are frames of bytes,
 * marshalled by hand (no protoc). The first byte of a frame is its kind.
 *
 * <pre>
 * sender -> receiver   HELLO   version, target runtime, target incarnation, service, type, sender runtime
 *                      DATA    a batch: a count n, then n messages, each a length and the bytes its codec
 *                              encoded; the sender packs whatever is queued for the link (at most
 *                              {@link #BATCH_BYTES} unless one message is larger)
 * receiver -> sender   WELCOME the window: how many messages the sender may have unacknowledged
 *                      CREDIT  n more messages may be sent (the receiver delivered n into the inbox)
 * </pre>
 * A refused handshake or a bad frame closes that stream only, with a status whose description says
 * why; other streams on the same connection go on.
 */
final class Wire {
    /** The protocol version; a peer speaking another one is refused at the handshake. */
    static final int VERSION = 2;
    static final byte HELLO = 1;
    static final byte DATA = 2;
    static final byte WELCOME = 11;
    static final byte CREDIT = 12;
    /** A DATA frame takes queued messages while it stays within this many bytes (one message at least). */
    static final int BATCH_BYTES = 64 * 1024;
    static final int DATA_HEADER = 5; // kind, count

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                // gRPC's streams know their length: read the frame into one array of its size
                return stream instanceof KnownLength ? stream.readNBytes(stream.available()) : stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> OPEN = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("weft.cluster.Link", "Open"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private Wire() {
    }

    /** The handshake: which inbox a new stream is for and who sends on it. */
    record Hello(int version, String runtime, long incarnation, String service, String type, String from) {

        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(HELLO);
                out.writeInt(version);
                out.writeUTF(runtime);
                out.writeLong(incarnation);
                out.writeUTF(service);
                out.writeUTF(type);
                out.writeUTF(from);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /** Reads a HELLO frame; the version comes first so a future layout still yields a clear refusal. */
        static Hello decode(byte[] frame) throws BadFrameException {
            if (frame.length == 0 || frame[0] != HELLO) {
                throw new BadFrameException("the first frame must be HELLO, got " + describe(frame));
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame, 1, frame.length - 1))) {
                int version = in.readInt();
                if (version != VERSION) {
                    return new Hello(version, "", 0, "", "", "");
                }
                return new Hello(version, in.readUTF(), in.readLong(), in.readUTF(), in.readUTF(), in.readUTF());
            } catch (IOException e) {
                throw new BadFrameException("a truncated HELLO frame (" + frame.length + " bytes)");
            }
        }
    }

    /** A DATA frame holding one message. */
    static byte[] data(byte[] payload) {
        return ByteBuffer.allocate(DATA_HEADER + 4 + payload.length).put(DATA).putInt(1).putInt(payload.length)
                .put(payload).array();
    }

    /**
     * The messages of a DATA frame, in order; the whole frame is checked before any is returned, so a
     * malformed batch delivers nothing.
     */
    static byte[][] payloads(byte[] frame) throws BadFrameException {
        if (frame.length < DATA_HEADER) {
            throw new BadFrameException("a truncated DATA frame (" + frame.length + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(frame, 1, frame.length - 1);
        int n = in.getInt();
        if (n <= 0 || n > in.remaining() / 4) { // each message takes 4 bytes of length at least
            throw new BadFrameException("a DATA frame of " + frame.length + " bytes cannot hold the " + n
                    + " messages it announces");
        }
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            int length = in.remaining() >= 4 ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new BadFrameException("a DATA frame announces " + n + " messages but holds " + i
                        + " whole ones (" + frame.length + " bytes)");
            }
            payloads[i] = new byte[length];
            in.get(payloads[i]);
        }
        if (in.hasRemaining()) {
            throw new BadFrameException("a DATA frame has " + in.remaining() + " bytes after its " + n + " messages");
        }
        return payloads;
    }

    static byte[] count(byte kind, int n) {
        return new byte[] {kind, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    static int count(byte[] frame) throws BadFrameException {
        if (frame.length != 5) {
            throw new BadFrameException("a count frame has 5 bytes, got " + describe(frame));
        }
        int n = ((frame[1] & 0xff) << 24) | ((frame[2] & 0xff) << 16) | ((frame[3] & 0xff) << 8) | (frame[4] & 0xff);
        if (n <= 0) {
            throw new BadFrameException("a count frame must carry a positive count, got " + n);
        }
        return n;
    }

    static String describe(byte[] frame) {
        return frame.length == 0 ? "an empty frame" : "a frame of kind " + frame[0] + " (" + frame.length + " bytes)";
    }

    /** A frame that breaks the protocol; the stream it came on is closed with this message. */
    static final class BadFrameException extends Exception {
        private static final long serialVersionUID = 1L;

        BadFrameException(String message) {
            super(message);
        }
    }
}
