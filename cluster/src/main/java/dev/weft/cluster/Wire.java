package dev.weft.cluster;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The link protocol: one gRPC bidirectional-streaming method whose messages are frames of bytes,
 * marshalled by hand (no protoc). The first byte of a frame is its kind.
 *
 * <pre>
 * sender -> receiver   HELLO   version, target runtime, target incarnation, service, type, sender runtime
 *                      DATA    one message, as its codec encoded it
 * receiver -> sender   WELCOME the window: how many messages the sender may have unacknowledged
 *                      CREDIT  n more messages may be sent (the receiver delivered n into the inbox)
 * </pre>
 * A refused handshake or a bad frame closes that stream only, with a status whose description says
 * why; other streams on the same connection go on.
 */
final class Wire {
    /** The protocol version; a peer speaking another one is refused at the handshake. */
    static final int VERSION = 1;
    static final byte HELLO = 1;
    static final byte DATA = 2;
    static final byte WELCOME = 11;
    static final byte CREDIT = 12;

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
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

    static byte[] data(byte[] payload) {
        byte[] frame = new byte[payload.length + 1];
        frame[0] = DATA;
        System.arraycopy(payload, 0, frame, 1, payload.length);
        return frame;
    }

    static byte[] payload(byte[] frame) {
        return Arrays.copyOfRange(frame, 1, frame.length);
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
