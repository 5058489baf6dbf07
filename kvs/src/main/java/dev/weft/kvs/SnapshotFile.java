package dev.weft.kvs;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot of every namespace's durable tree as of one log position, in
 * {@code snap-<lsn>.snap}: magic, format, lsn, then each namespace (name, owner, version, tree in
 * pre-order), then a CRC32C of everything before it. Written to a temporary file, forced, and
 * renamed into place, so a snapshot file is either whole or absent. Nodes are written with the
 * versions readers see ({@link Tree.Found}), so a copied directory is written out in full: the
 * structure it shared is shared again only by copies made after a restart.
 */
final class SnapshotFile {
    private static final long MAGIC = 0x574b56534e415031L; // "WKVSNAP1"
    private static final byte DIR = 1;
    private static final byte VAL = 2;
    private static final byte LINK = 3;

    /** One namespace in a snapshot. */
    record Entry(String name, String owner, Root root) {
    }

    private SnapshotFile() {
    }

    static Path write(Path dir, long lsn, List<Entry> entries) throws IOException {
        Path target = LogFormat.snapshot(dir, lsn);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C crc = new CRC32C();
            OutputStream raw = Channels.newOutputStream(ch);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
            out.writeLong(MAGIC);
            out.writeLong(lsn);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                LogFormat.writeString(out, e.name());
                LogFormat.writeString(out, e.owner());
                out.writeLong(e.root().version());
                writeNode(out, e.root().dir(), 0);
            }
            out.flush();
            new DataOutputStream(raw).writeInt((int) crc.getValue());
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        Wal.forceDirectory(dir);
        return target;
    }

    /** Writes {@code node}, beneath directories whose highest floor is {@code floor}. */
    private static void writeNode(DataOutputStream out, Node node, long floor) throws IOException {
        switch (Tree.stamped(node, floor)) {
            case Node.Dir d -> {
                out.writeByte(DIR);
                out.writeLong(d.version());
                out.writeInt(d.size());
                long below = Math.max(floor, d.floor());
                for (int i = 0; i < d.size(); i++) {
                    LogFormat.writeString(out, d.name(i));
                    writeNode(out, d.child(i), below);
                }
            }
            case Node.Val v -> {
                out.writeByte(VAL);
                out.writeLong(v.version());
                out.writeLong(v.lineage());
                out.writeInt(v.data().length());
                out.write(v.data().array(), 0, v.data().length());
            }
            case Node.Link l -> {
                out.writeByte(LINK);
                out.writeLong(l.version());
                LogFormat.writeString(out, l.target());
            }
        }
    }

    /** Reads a snapshot, checking its checksum. */
    static List<Entry> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 24) {
            throw new IOException("too short");
        }
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream limited = new BufferedInputStream(raw, 1 << 16);
            DataInputStream in = new DataInputStream(new CheckedInputStream(new Bounded(limited, size - 4), crc));
            if (in.readLong() != MAGIC) {
                throw new IOException("not a snapshot");
            }
            long lsn = in.readLong();
            if (lsn != LogFormat.snapshotLsn(file)) {
                throw new IOException("lsn " + lsn + " does not match the file name");
            }
            int n = in.readInt();
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = LogFormat.readString(in);
                String owner = LogFormat.readString(in);
                long version = in.readLong();
                Node root = readNode(in);
                if (!(root instanceof Node.Dir dir)) {
                    throw new IOException("namespace root is not a directory");
                }
                entries.add(new Entry(name, owner, new Root(version, dir)));
            }
            if (in.read() != -1) {
                throw new IOException("trailing bytes");
            }
            int expected = new DataInputStream(limited).readInt();
            if (expected != (int) crc.getValue()) {
                throw new IOException("checksum mismatch");
            }
            return entries;
        }
    }

    private static Node readNode(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        long version = in.readLong();
        if (tag == DIR) {
            int n = in.readInt();
            if (n < 0) {
                throw new IOException("bad directory size");
            }
            String[] names = new String[n];
            Node[] children = new Node[n];
            for (int i = 0; i < n; i++) {
                names[i] = LogFormat.readString(in);
                children[i] = readNode(in);
            }
            return new Node.Dir(version, names, children);
        }
        if (tag == VAL) {
            long lineage = in.readLong();
            return new Node.Val(version, lineage, Blob.of(LogFormat.readBytes(in)));
        }
        if (tag == LINK) {
            try {
                return Node.Link.of(version, LogFormat.readString(in));
            } catch (KvsException e) {
                throw new IOException("bad symlink: " + e.getMessage(), e);
            }
        }
        throw new IOException("bad node tag " + tag);
    }

    /** Reads at most {@code limit} bytes of {@code in}, leaving the rest for the caller. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
