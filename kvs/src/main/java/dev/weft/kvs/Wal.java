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
     * Publishing only after the force means a reader never sees, and no one is told about, a commit
     * a crash could lose. Because the syncer is the only publisher, what it sees published between
     * two batches is exactly the log up to the last written lsn: the state a snapshot captures.
     *
     * Snapshots: after a batch, once snapshotBytes have been logged since the last one (or when asked),
     * the syncer captures the durable roots (immutable, so capture is free), starts a new segment, and
     * a background thread writes the snapshot and then deletes the segments and snapshots it covers.
     */
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());

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
        this.segment = openSegment(lastLsn + 1);
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
                    for (Entry e : batch) {
                        e.publish().run();
                    }
                    for (Entry e : batch) {
                        e.done().complete(e.result());
                    }
                }
                batch.clear();
                writing = null;
                spare = batch;
                if (!requests.isEmpty() || (bytesSinceSnapshot >= snapshotBytes && snapshotting.isDone())) {
                    snapshot(requests);
                }
            }
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
            segment.write(out);
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
        segment = openSegment(lsn + 1);
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

    private FileChannel openSegment(long firstLsn) throws IOException {
        FileChannel ch = FileChannel.open(LogFormat.segment(dir, firstLsn), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        forceDirectory(dir);
        return ch;
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
