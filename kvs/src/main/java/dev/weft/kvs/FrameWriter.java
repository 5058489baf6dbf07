package dev.weft.kvs;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes the frames of any number of threads to one stream, in the order they arrive, merging the
 * frames that queue up while a write is under way into the next one. Whoever finds the stream free
 * writes, its own frame and every frame queued behind it; a thread that finds it busy leaves its
 * frame to that writer and returns at once (flat combining). So 64 threads sharing a connection make
 * a few system calls where they made 64. Once more than {@link #MAX_WRITE} bytes wait (the peer does
 * not read), a thread waits for its turn instead, so a full socket holds its callers back as a plain
 * locked write does.
 *
 * <p>A failed write is dropped: the connection is over, and its reader, which sees the same end,
 * fails the calls.
 */
final class FrameWriter {
    /** The most bytes one write merges, and how many may queue before callers wait. */
    static final int MAX_WRITE = 64 * 1024;

    private final OutputStream out;
    private final ConcurrentLinkedQueue<byte[]> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ReentrantLock writing = new ReentrantLock();
    /** Where frames are merged; used only by the thread holding {@code writing}. */
    private final byte[] merged = new byte[MAX_WRITE];

    FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** Queues {@code frame} and writes it, with whatever else is queued, unless another thread is writing. */
    void write(byte[] frame) {
        queued.add(frame);
        if (queuedBytes.addAndGet(frame.length) > MAX_WRITE && !writing.isHeldByCurrentThread()) {
            writing.lock();
            try {
                drain();
            } finally {
                writing.unlock();
            }
        }
        // After each unlock, look again: a frame queued while this thread wrote, by a thread whose
        // tryLock failed, is this thread's to write.
        while (!queued.isEmpty() && writing.tryLock()) {
            try {
                drain();
            } finally {
                writing.unlock();
            }
        }
    }

    /** Writes everything queued, merging consecutive frames up to {@link #MAX_WRITE} bytes a write. */
    private void drain() {
        for (byte[] frame; (frame = queued.poll()) != null; ) {
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
    }
}
