package dev.weft.kvs;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes the frames of any number of threads to one stream, in the order they arrive, merging the
 * frames that queue up while a write is under way into the next one. Whoever finds the stream free
 * writes, its own frame and every frame queued behind it; a thread that finds it busy leaves its
 * frame to that writer and returns at once (flat combining). So 64 threads sharing a connection make
 * a few system calls where they made 64. A caller makes at most {@link #WRITES_PER_CALL} writes; if
 * frames still wait then, a virtual thread of the writer's own takes over until none do, so no caller
 * is kept writing for the others while they keep coming. Once more than {@link #MAX_WRITE} bytes wait
 * (the peer does not read), a thread waits for its turn instead, so a full socket holds its callers
 * back as a plain locked write does.
 *
 * <p>A failed write is dropped: the connection is over, and its reader, which sees the same end,
 * fails the calls.
 */
final class FrameWriter {
    /** The most bytes one write merges, and how many may queue before callers wait. */
    static final int MAX_WRITE = 64 * 1024;
    /** The most writes one caller makes before it leaves what is queued to the flusher. */
    static final int WRITES_PER_CALL = 4;

    private final OutputStream out;
    private final ConcurrentLinkedQueue<byte[]> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ReentrantLock writing = new ReentrantLock();
    /** Whether the flusher thread runs (or is about to). */
    private final AtomicBoolean flushing = new AtomicBoolean();
    /** Where frames are merged; used only by the thread holding {@code writing}. */
    private final byte[] merged = new byte[MAX_WRITE];

    FrameWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Queues {@code frame} and writes it, with whatever else is queued, unless another thread is
     * writing (which then writes it).
     */
    void write(byte[] frame) {
        queued.add(frame);
        int writes = 0;
        if (queuedBytes.addAndGet(frame.length) > MAX_WRITE && !writing.isHeldByCurrentThread()) {
            writing.lock();
            try {
                writes += drain(WRITES_PER_CALL);
            } finally {
                writing.unlock();
            }
        }
        // After each unlock, look again: a frame queued while this thread wrote, by a thread whose
        // tryLock failed, is this thread's to write, or the flusher's once this thread has done its share.
        while (!queued.isEmpty() && writing.tryLock()) {
            if (writes >= WRITES_PER_CALL) {
                writing.unlock();
                startFlusher();
                return;
            }
            try {
                writes += drain(WRITES_PER_CALL - writes);
            } finally {
                writing.unlock();
            }
        }
    }

    private void startFlusher() {
        if (flushing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("weft-kvs-client-writer").start(this::flush);
        }
    }

    /** The flusher: writes until nothing is queued, then ends, looking again after it said so. */
    private void flush() {
        do {
            while (!queued.isEmpty() && writing.tryLock()) {
                try {
                    drain(Integer.MAX_VALUE);
                } finally {
                    writing.unlock();
                }
            }
            flushing.set(false);
        } while (!queued.isEmpty() && flushing.compareAndSet(false, true));
    }

    /**
     * Writes what is queued, merging consecutive frames up to {@link #MAX_WRITE} bytes a write, at most
     * {@code limit} writes; returns how many it made.
     */
    private int drain(int limit) {
        int writes = 0;
        for (byte[] frame; writes < limit && (frame = queued.poll()) != null; writes++) {
            int length = frame.length;
            boolean alone = length >= MAX_WRITE || queued.peek() == null;
            if (!alone) {
                System.arraycopy(frame, 0, merged, 0, length);
                for (byte[] next; (next = queued.peek()) != null && length + next.length <= MAX_WRITE; ) {
                    queued.poll();
                    System.arraycopy(next, 0, merged, length, next.length);
                    length += next.length;
                }
            }
            try {
                if (alone) {
                    out.write(frame);
                } else {
                    out.write(merged, 0, length);
                }
            } catch (IOException connectionOver) {
                // dropped: the reader fails the connection and its calls
            } finally {
                queuedBytes.addAndGet(-length);
            }
        }
        return writes;
    }
}
