package dev.weft.actors.net;

import java.nio.ByteBuffer;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * Buffers lent for one turn of work and given back, so that the number of buffers stays near the
 * number of components working at once instead of one per connection.
 *
 * <ul>
 *   <li>{@link #READS}: direct buffers that socket adapters read into. A read into a direct buffer
 *       lands there straight from the kernel (a heap buffer would cost the JDK a copy through a
 *       temporary direct one).
 *   <li>{@link #TLS}: heap buffers for TLS records and their plaintext (the JDK's TLS engine works on
 *       heap arrays without a copy), large enough for two records of the largest standard size.
 * </ul>
 */
final class BufferPool {
    static final BufferPool READS = new BufferPool(16 * 1024, true);
    static final BufferPool TLS = new BufferPool(2 * 16_709 + 512, false);
    private static final int POOLED = 256;

    private final int size;
    private final boolean direct;
    private final MpmcAtomicArrayQueue<ByteBuffer> pool = new MpmcAtomicArrayQueue<>(POOLED);

    private BufferPool(int size, boolean direct) {
        this.size = size;
        this.direct = direct;
    }

    /** Returns the size of the buffers this pool lends. */
    int size() {
        return size;
    }

    /** Lends a cleared buffer of {@link #size()} bytes. */
    ByteBuffer take() {
        ByteBuffer b = pool.relaxedPoll();
        if (b != null) {
            return b.clear();
        }
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /**
     * Gives a lent buffer back; the caller must not touch it again. A buffer of another size (one a
     * caller grew) or one past the pool's size is left to the GC.
     */
    void give(ByteBuffer buffer) {
        if (buffer.capacity() == size && buffer.isDirect() == direct) {
            pool.relaxedOffer(buffer);
        }
    }
}
