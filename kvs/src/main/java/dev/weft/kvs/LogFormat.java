package dev.weft.kvs;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk log: segment files {@code wal-<first lsn>.log} holding frames
 *
 * <pre>
 *   int length   bytes of payload (8 + body)
 *   int crc      CRC32C of the length field and the payload
 *   long lsn     log sequence number, one more than the previous frame's
 *   byte[] body  the record: type byte, then its fields
 * </pre>
 *
 * all big-endian. A frame whose length is impossible, whose bytes run past the end of the file, whose
 * checksum does not match or whose lsn is not the next one ends the log there.
 */
final class LogFormat {
    static final int HEADER = 8;
    static final int MAX_PAYLOAD = 64 << 20;
    private static final byte COMMIT = 1;
    private static final byte CREATE = 2;
    private static final byte REMOVE = 3;

    private LogFormat() {
    }

    static Path segment(Path dir, long firstLsn) {
        return dir.resolve(String.format("wal-%020d.log", firstLsn));
    }

    /** Returns the first lsn of a segment file name, or -1 if it is not a segment. */
    static long segmentStart(Path file) {
        return number(file, "wal-", ".log");
    }

    static Path snapshot(Path dir, long lsn) {
        return dir.resolve(String.format("snap-%020d.snap", lsn));
    }

    static long snapshotLsn(Path file) {
        return number(file, "snap-", ".snap");
    }

    private static long number(Path file, String prefix, String suffix) {
        String n = file.getFileName().toString();
        if (!n.startsWith(prefix) || !n.endsWith(suffix) || n.length() != prefix.length() + 20 + suffix.length()) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring(prefix.length(), prefix.length() + 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Writes one frame for {@code body} at {@code lsn} into {@code out}. */
    static void frame(ByteBuffer out, long lsn, byte[] body) {
        int start = out.position();
        int length = 8 + body.length;
        out.putInt(length).putInt(0).putLong(lsn).put(body);
        out.putInt(start + 4, crc(out, start, length));
    }

    /** The checksum of the frame at {@code start} whose payload is {@code length} bytes. */
    static int crc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(start, 4));
        crc.update(buf.slice(start + HEADER, length));
        return (int) crc.getValue();
    }

    static byte[] encode(LogRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (record) {
                case LogRecord.Commit c -> {
                    out.writeByte(COMMIT);
                    writeString(out, c.namespace());
                    out.writeLong(c.version());
                    out.writeInt(c.ops().size());
                    for (Txn.Op op : c.ops()) {
                        out.writeByte(op.kind().ordinal());
                        writeString(out, op.key());
                        if (op.value() != null) {
                            out.writeInt(op.value().length);
                            out.write(op.value());
                        }
                        if (op.link() != null) {
                            writeString(out, op.link());
                        }
                        if (op.source() != null) {
                            writeString(out, op.source());
                        }
                    }
                }
                case LogRecord.CreateNamespace c -> {
                    out.writeByte(CREATE);
                    writeString(out, c.namespace());
                    writeString(out, c.owner());
                }
                case LogRecord.RemoveNamespace r -> {
                    out.writeByte(REMOVE);
                    writeString(out, r.namespace());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.size() > MAX_PAYLOAD - 8) {
            throw new KvsException("transaction too large for the log: " + bytes.size() + " bytes (limit "
                    + (MAX_PAYLOAD - 8) + ")");
        }
        return bytes.toByteArray();
    }

    static LogRecord decode(ByteBuffer body) throws IOException {
        byte[] raw = new byte[body.remaining()];
        body.get(raw);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(raw));
        byte type = in.readByte();
        return switch (type) {
            case COMMIT -> {
                String ns = readString(in);
                long version = in.readLong();
                int n = in.readInt();
                List<Txn.Op> ops = new ArrayList<>(n);
                Txn.Op.Kind[] kinds = Txn.Op.Kind.values();
                for (int i = 0; i < n; i++) {
                    int k = in.readUnsignedByte();
                    if (k >= kinds.length) {
                        throw new IOException("unknown operation " + k);
                    }
                    Txn.Op.Kind kind = kinds[k];
                    String key = readString(in);
                    byte[] value = kind == Txn.Op.Kind.PUT || kind == Txn.Op.Kind.APPEND ? readBytes(in) : null;
                    String link = kind == Txn.Op.Kind.SYMLINK ? readString(in) : null;
                    String source = kind == Txn.Op.Kind.COPY || kind == Txn.Op.Kind.MOVE ? readString(in) : null;
                    Keys.parseNonRoot(key);
                    ops.add(new Txn.Op(kind, key, value, link, source));
                }
                yield new LogRecord.Commit(ns, version, ops);
            }
            case CREATE -> new LogRecord.CreateNamespace(readString(in), readString(in));
            case REMOVE -> new LogRecord.RemoveNamespace(readString(in));
            default -> throw new IOException("unknown record type " + type);
        };
    }

    static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_PAYLOAD) {
            throw new IOException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
