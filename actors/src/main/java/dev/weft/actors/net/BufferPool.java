package dev.weft.actors.net;

import java.nio.ByteBuffer;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * The direct buffers that socket adapters read into, lent for one turn of reads and given back: a
 * read into a direct buffer lands there straight from the kernel (a heap buffer would cost the JDK a
 * copy through a temporary direct one), and a pool keeps the number of buffers near the number of
 * adapters reading at once instead of one per connection.
 */
final class ReadBuffers {
    static final int SIZE = 16 * 1024;
    private static final int POOLED = 256;
    private static final MpmcAtomicArrayQueue<ByteBuffer> POOL = new MpmcAtomicArrayQueue<>(POOLED);

    private ReadBuffers() {
    }

    /** Lends a cleared buffer of {@value #SIZE} bytes. */
    static ByteBuffer take() {
        ByteBuffer b = POOL.relaxedPoll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(SIZE);
    }

    /** Gives a lent buffer back; the caller must not touch it again. Past the pool's size it is left to the GC. */
    static void give(ByteBuffer buffer) {
        POOL.relaxedOffer(buffer);
    }
}
