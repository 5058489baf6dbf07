package dev.weft.kvs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the durable state from the newest readable snapshot plus the log after it. The log ends
 * at the first frame that is torn, fails its checksum, cannot be decoded or breaks the lsn
 * sequence: recovery truncates the segment there (keeping the cut bytes in
 * {@code <segment>.dropped-<offset>}), moves any later segment aside (renamed {@code *.dropped}),
 * and reports each cut in the {@link RecoveryReport} and the log. A segment whose frames are
 * followed only by zeros ends there cleanly: those are the zeros the log writes ahead of itself
 * ({@link Wal#PREALLOCATE}), left by a crash; they are cut off and the next segment follows.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    /** The recovered namespaces (in creation order), the last lsn, and the report. */
    record Result(Map<String, SnapshotFile.Entry> namespaces, RecoveryReport report) {
    }

    private final Path dir;
    private final Map<String, SnapshotFile.Entry> state = new LinkedHashMap<>();
    private final List<RecoveryReport.Dropped> dropped = new ArrayList<>();
    private long snapshotLsn;
    private long expected;
    private long replayed;

    private Recovery(Path dir) {
        this.dir = dir;
    }

    static Result run(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new Recovery(dir).recover();
    }

    private Result recover() throws IOException {
        List<Path> snapshots = new ArrayList<>();
        List<Path> segments = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (f.getFileName().toString().endsWith(".tmp")) {
                    Files.delete(f);
                } else if (LogFormat.snapshotLsn(f) >= 0) {
                    snapshots.add(f);
                } else if (LogFormat.segmentStart(f) >= 0) {
                    segments.add(f);
                }
            }
        }
        snapshots.sort(Comparator.comparingLong(LogFormat::snapshotLsn).reversed());
        segments.sort(Comparator.comparingLong(LogFormat::segmentStart));
        loadSnapshot(snapshots);
        expected = snapshotLsn + 1;
        boolean ended = false;
        for (Path segment : segments) {
            if (ended) {
                drop(segment, 0, Files.size(segment), "follows the end of the log");
                Files.move(segment, segment.resolveSibling(segment.getFileName() + ".dropped"),
                        StandardCopyOption.REPLACE_EXISTING);
            } else {
                ended = replay(segment);
            }
        }
        return new Result(state, new RecoveryReport(snapshotLsn, replayed, expected - 1, dropped));
    }

    private void loadSnapshot(List<Path> newestFirst) throws IOException {
        for (Path snap : newestFirst) {
            try {
                for (SnapshotFile.Entry e : SnapshotFile.read(snap)) {
                    state.put(e.name(), e);
                }
                snapshotLsn = LogFormat.snapshotLsn(snap);
                return;
            } catch (IOException | RuntimeException e) {
                state.clear();
                drop(snap, 0, Files.size(snap), "unreadable snapshot: " + e.getMessage());
                Files.move(snap, snap.resolveSibling(snap.getFileName() + ".dropped"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Replays one segment; returns true if the log ended inside it. */
    private boolean replay(Path segment) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment));
        int size = buf.limit();
        int pos = 0;
        while (pos < size) {
            String bad = null;
            int length = 0;
            if ((size - pos < LogFormat.HEADER || buf.getInt(pos) == 0) && zerosFrom(buf, pos)) {
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    ch.truncate(pos);
                }
                return false;
            }
            if (size - pos < LogFormat.HEADER) {
                bad = "torn frame header";
            } else {
                length = buf.getInt(pos);
                if (length < 9 || length > LogFormat.MAX_PAYLOAD || (long) pos + LogFormat.HEADER + length > size) {
                    bad = "torn or corrupt frame (length " + length + ")";
                } else if (buf.getInt(pos + 4) != LogFormat.crc(buf, pos, length)) {
                    bad = "checksum mismatch";
                } else {
                    bad = apply(buf.slice(pos + LogFormat.HEADER, length));
                }
            }
            if (bad != null) {
                drop(segment, pos, size - pos, bad);
                Files.write(segment.resolveSibling(segment.getFileName() + ".dropped-" + pos),
                        java.util.Arrays.copyOfRange(buf.array(), pos, size));
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    ch.truncate(pos);
                    ch.force(true);
                }
                return true;
            }
            pos += LogFormat.HEADER + length;
        }
        return false;
    }

    /** Whether every byte of {@code buf} from {@code pos} on is zero. */
    private static boolean zerosFrom(ByteBuffer buf, int pos) {
        for (int i = pos; i < buf.limit(); i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Applies one checksummed payload; returns why it could not, or null. */
    private String apply(ByteBuffer payload) {
        long lsn = payload.getLong(0);
        if (lsn <= snapshotLsn) {
            return null;
        }
        if (lsn != expected) {
            return "lsn " + lsn + " where " + expected + " was expected";
        }
        try {
            LogRecord record = LogFormat.decode(payload.slice(8, payload.limit() - 8));
            switch (record) {
                case LogRecord.Commit c -> {
                    SnapshotFile.Entry e = state.get(c.namespace());
                    if (e == null || c.version() != e.root().version() + 1) {
                        return "commit " + c.namespace() + "@" + c.version() + " does not follow the state";
                    }
                    Root next = new Root(c.version(), Txn.apply(e.root().dir(), c.ops(), c.version()));
                    state.put(c.namespace(), new SnapshotFile.Entry(e.name(), e.owner(), next));
                }
                case LogRecord.CreateNamespace c -> {
                    if (state.containsKey(c.namespace())) {
                        return "namespace " + c.namespace() + " created twice";
                    }
                    state.put(c.namespace(), new SnapshotFile.Entry(c.namespace(), c.owner(), Root.EMPTY));
                }
                case LogRecord.RemoveNamespace r -> state.remove(r.namespace());
            }
        } catch (IOException | RuntimeException e) {
            return "undecodable record at lsn " + lsn + ": " + e.getMessage();
        }
        expected++;
        replayed++;
        return null;
    }

    private void drop(Path file, long offset, long bytes, String reason) {
        dropped.add(new RecoveryReport.Dropped(file, offset, bytes, reason));
        LOG.log(Level.WARNING, "KVS recovery dropped " + bytes + " bytes of " + file + " from offset " + offset
                + ": " + reason);
    }
}
