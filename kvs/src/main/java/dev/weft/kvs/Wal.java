package dev.weft.kvs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The durable commit log, with group commit.
 */
final class Wal implements CommitLog {
    /*
     * Committers append under `lock`: they take the next lsn and queue an entry (its body already
     * encoded, outside the lock). One platform thread, the syncer, owns the file: it takes the whole
     * queue (one entry in ALWAYS mode), frames and checksums it, writes it, forces it (unless NONE),
     * then runs each entry's publish action in lsn order and completes its future. Commits that queue
     * while a force runs form the next batch, so one force covers them all (group commit), and no
     * committer ever holds a lock across I/O.
     *
     * Publishing and completing run as one ReplyBatch: the replies to network clients they complete
     * go out at the end of it, each connection's in one write.
     *
     * Publishing only after the force means a reader never sees, and no one is told about, a commit
     * a crash could lose. Because the syncer is the only publisher, what it sees published between
     * two batches is exactly the log up to the last written lsn: the state a snapshot captures.
     *
     * Preallocation: the syncer writes each segment's bytes at `position` into zeros it wrote and
     * forced ahead of it (PREALLOCATE at a time, after a batch, when less than half of that is left),
     * so a force only flushes data: appending grows the file, and on ext4 and most file systems that
     * costs each force a journal commit for the new size (measured here: 150-200 us a force on
     * append, 100-135 us into written zeros). etcd preallocates its WAL segments for the same reason.
     * A clean close, and the roll to a new segment, cut the zeros off; after a crash recovery reads a
     * zero frame header followed only by zeros as the end of that segment, not as damage. Not in
     * FsyncMode.NONE, which forces nothing.
     *
     * Snapshots: after a batch, once snapshotBytes have been logged since the last one (or when asked),
     * the syncer captures the durable roots (immutable, so capture is free), starts a new segment, and
     * a background thread writes the snapshot and then deletes the segments and snapshots it covers.
     */
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());
    /** Bytes of zeros the syncer keeps written ahead of the log's end (see above). */
    static final int PREALLOCATE = 4 << 20;

    private record Entry(long lsn, byte[] body, long result, Runnable publish, CompletableFuture<Long> done) {
    }

    private final Path dir;
    private final FsyncMode mode;
    private final long snapshotBytes;
    private final Supplier<List<SnapshotFile.Entry>> capture;
    private final KvsMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    // Guarded by lock.
    private ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long nextLsn;
    private boolean closing;
    private KvsException failure;
    private final List<CompletableFuture<Void>> snapshotRequests = new ArrayList<>(0);
    // Confined to the syncer.
    private final Thread syncer;
    private ArrayDeque<Entry> spare = new ArrayDeque<>();
    private ArrayDeque<Entry> writing;
    private FileChannel segment;
    private ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
    private ByteBuffer zeros;
    /** Where the next frame goes in the segment, and how far its zeros reach. */
    private long position;
    private long allocated;
    private long lastWritten;
    private long bytesSinceSnapshot;
    private CompletableFuture<Void> snapshotting = CompletableFuture.completedFuture(null);

    Wal(Path dir, FsyncMode mode, long lastLsn, long snapshotBytes, Supplier<List<SnapshotFile.Entry>> capture,
            KvsMetrics metrics) throws IOException {
        this.dir = dir;
        this.mode = mode;
        this.snapshotBytes = snapshotBytes;
        this.capture = capture;
        this.metrics = metrics;
        this.nextLsn = lastLsn + 1;
        this.lastWritten = lastLsn;
        startSegment(lastLsn + 1);
        this.syncer = Thread.ofPlatform().daemon().name("weft-kvs-log").unstarted(this::syncLoop);
        syncer.start();
    }

    @Override
    public CompletableFuture<Long> append(LogRecord record, long result, Runnable publish) {
        byte[] body = LogFormat.encode(record);
        CompletableFuture<Long> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            if (closing) {
                throw new KvsException("the store is closed");
            }
            queue.add(new Entry(nextLsn++, body, result, publish, done));
            if (queue.size() == 1) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Asks for a snapshot after the records appended so far; completes once it is on disk. */
    CompletableFuture<Void> snapshot() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (failure != null || closing) {
                throw failure != null ? failure : new KvsException("the store is closed");
            }
            snapshotRequests.add(done);
            work.signal();
        } finally {
            lock.unlock();
        }
        return done;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        for (;;) {
            try {
                syncer.join();
                snapshotting.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (RuntimeException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the syncer

    private void syncLoop() {
        try {
            for (;;) {
                ArrayDeque<Entry> batch;
                List<CompletableFuture<Void>> requests = List.of();
                lock.lock();
                try {
                    while (queue.isEmpty() && snapshotRequests.isEmpty() && !closing) {
                        work.awaitUninterruptibly();
                    }
                    if (queue.isEmpty() && snapshotRequests.isEmpty()) {
                        break;
                    }
                    if (mode == FsyncMode.ALWAYS && queue.size() > 1) {
                        batch = spare;
                        batch.add(queue.poll());
                    } else {
                        batch = queue;
                        queue = spare;
                    }
                    if (!snapshotRequests.isEmpty()) {
                        requests = List.copyOf(snapshotRequests);
                        snapshotRequests.clear();
                    }
                } finally {
                    lock.unlock();
                }
                if (!batch.isEmpty()) {
                    writing = batch;
                    write(batch);
                    ReplyBatch.run(() -> {
                        for (Entry e : batch) {
                            e.publish().run();
                        }
                        for (Entry e : batch) {
                            e.done().complete(e.result());
                        }
                    });
                    if (mode != FsyncMode.NONE && allocated - position < PREALLOCATE / 2) {
                        preallocate();
                    }
                }
                batch.clear();
                writing = null;
                spare = batch;
                if (!requests.isEmpty() || (bytesSinceSnapshot >= snapshotBytes && snapshotting.isDone())) {
                    snapshot(requests);
                }
            }
            cutZeros(segment);
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            closeQuietly(segment);
        }
    }

    private void write(ArrayDeque<Entry> batch) throws IOException {
        int bytes = 0;
        for (Entry e : batch) {
            bytes += LogFormat.HEADER + 8 + e.body().length;
        }
        if (out.capacity() < bytes) {
            out = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes - 1) << 1);
        }
        out.clear();
        for (Entry e : batch) {
            LogFormat.frame(out, e.lsn(), e.body());
        }
        out.flip();
        while (out.hasRemaining()) {
            position += segment.write(out, position);
        }
        if (mode != FsyncMode.NONE) {
            segment.force(false);
        }
        lastWritten = batch.peekLast().lsn();
        bytesSinceSnapshot += bytes;
        metrics.synced(batch.size());
    }

    /** Captures the durable state at lastWritten, rolls to a new segment, writes the snapshot in the background. */
    private void snapshot(List<CompletableFuture<Void>> requests) throws IOException {
        if (!snapshotting.isDone()) {
            snapshotting.join();
        }
        long lsn = lastWritten;
        List<SnapshotFile.Entry> image = capture.get();
        FileChannel old = segment;
        cutZeros(old);
        startSegment(lsn + 1);
        closeQuietly(old);
        bytesSinceSnapshot = 0;
        CompletableFuture<Void> written = new CompletableFuture<>();
        snapshotting = written;
        Thread.ofVirtual().name("weft-kvs-snapshot").start(() -> {
            try {
                SnapshotFile.write(dir, lsn, image);
                deleteCovered(lsn);
                written.complete(null);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "writing the KVS snapshot at lsn " + lsn + " failed; the log is kept", e);
                written.completeExceptionally(e);
            }
        });
        for (CompletableFuture<Void> r : requests) {
            written.whenComplete((v, e) -> {
                if (e == null) {
                    r.complete(null);
                } else {
                    r.completeExceptionally(e);
                }
            });
        }
    }

    /** Deletes the segments that end at or before {@code lsn} and the snapshots older than it. */
    private void deleteCovered(long lsn) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                long start = LogFormat.segmentStart(f);
                long snap = LogFormat.snapshotLsn(f);
                if ((start >= 0 && start <= lsn) || (snap >= 0 && snap < lsn)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private void fail(Throwable cause) {
        KvsException failed = new KvsException("the KVS log failed; the store accepts no more commits", cause);
        LOG.log(Level.ERROR, failed.getMessage(), cause);
        List<Entry> lost;
        List<CompletableFuture<Void>> requests;
        lock.lock();
        try {
            failure = failed;
            lost = new ArrayList<>(queue);
            if (writing != null) {
                lost.addAll(writing);
            }
            queue.clear();
            requests = List.copyOf(snapshotRequests);
            snapshotRequests.clear();
        } finally {
            lock.unlock();
        }
        for (Entry e : lost) {
            e.done().completeExceptionally(failed);
        }
        for (CompletableFuture<Void> r : requests) {
            r.completeExceptionally(failed);
        }
    }

    /**
     * Opens the segment that starts at {@code firstLsn} (new, or left empty by recovery) and, unless
     * nothing is forced, writes its first zeros.
     */
    private void startSegment(long firstLsn) throws IOException {
        segment = FileChannel.open(LogFormat.segment(dir, firstLsn), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        position = segment.size();
        allocated = position;
        if (mode != FsyncMode.NONE) {
            preallocate();
        }
        forceDirectory(dir);
    }

    /**
     * Writes {@link #PREALLOCATE} bytes of zeros past the segment's end and forces them. If that
     * fails (a full disk), the segment goes on without: its frames then grow the file, and only a
     * frame that does not fit fails the log.
     */
    private void preallocate() {
        if (zeros == null) {
            zeros = ByteBuffer.allocateDirect(1 << 20);
        }
        long from = Math.max(allocated, position);
        long to = from + PREALLOCATE;
        try {
            for (long at = from; at < to; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
                at += segment.write(zeros, at);
            }
            segment.force(false);
            allocated = to;
        } catch (IOException e) {
            allocated = Long.MAX_VALUE;
            LOG.log(Level.WARNING, "writing zeros ahead of the KVS log failed (" + e.getMessage()
                    + "); this segment goes on without them", e);
        }
    }

    /** Cuts a segment's unused zeros off, so it ends where its log does. */
    private void cutZeros(FileChannel ch) throws IOException {
        if (ch.size() > position) {
            ch.truncate(position);
        }
    }

    /** Makes a file's creation, rename or deletion in {@code dir} durable. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing a KVS log segment failed", e);
        }
    }
}
