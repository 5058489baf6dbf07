package dev.weft.runtime.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;

/**
 * Tells the owner of a {@link ChannelHandle} that its channel is ready for some of the operations it
 * armed. Those operations are now disarmed: the owner does the I/O until the channel would block, then
 * {@linkplain ChannelHandle#arm(int) arms} them again.
 *
 * <p>At most one open {@code Readiness} per channel is in flight. While it waits in the owner's inbox,
 * further readiness is merged into it: its {@link #ops()} grow and its {@link #count()} counts the
 * events merged. The first call of {@code ops()} or {@code count()} (or a new {@code arm}) closes it;
 * later readiness then comes in a new message. Readiness is a hint: a read or write may still find
 * nothing to do.
 */
public final class Readiness {
    /*
     * One atomic word: the ready ops in bits 0-7 (SelectionKey.OP_* fit in 5), the number of readiness
     * events merged in bits 8-62, and SEALED in bit 63. Merging is a CAS that fails once SEALED is set
     * (the selector thread and, on the epoll backend, an owner's arm may merge); the owner seals with
     * one getAndBitwiseOr. After the seal the word
     * never changes again, so ops() and count() read a consistent pair without further locking.
     */
    static final long SEALED = 1L << 63;
    private static final int OPS_MASK = 0xFF;
    private static final int COUNT_SHIFT = 8;
    private static final long ONE = 1L << COUNT_SHIFT;
    private static final VarHandle WORD;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(Readiness.class, "word", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ChannelHandle handle;
    private volatile long word;

    Readiness(ChannelHandle handle, int ops, long count) {
        this.handle = handle;
        this.word = (count << COUNT_SHIFT) | ops;
    }

    /** Returns the channel this readiness is about. */
    public ChannelHandle handle() {
        return handle;
    }

    /** Returns the ready operations, a set of {@link SelectionKey} {@code OP_*} bits; closes this message. */
    public int ops() {
        return opsOf(seal());
    }

    /** Returns how many readiness events this message carries (1 unless some were merged); closes it. */
    public long count() {
        return countOf(seal());
    }

    /** Returns whether the channel is ready to read. */
    public boolean isReadable() {
        return (ops() & SelectionKey.OP_READ) != 0;
    }

    /** Returns whether the channel is ready to write. */
    public boolean isWritable() {
        return (ops() & SelectionKey.OP_WRITE) != 0;
    }

    /** Returns whether a server channel has a connection to accept. */
    public boolean isAcceptable() {
        return (ops() & SelectionKey.OP_ACCEPT) != 0;
    }

    /** Returns whether a connecting channel may finish connecting. */
    public boolean isConnectable() {
        return (ops() & SelectionKey.OP_CONNECT) != 0;
    }

    /** Merges {@code count} more readiness events into this open message. Returns false once it is sealed. */
    boolean merge(int ops, long count) {
        for (;;) {
            long w = word;
            if ((w & SEALED) != 0) {
                return false;
            }
            if (WORD.compareAndSet(this, w, (w | ops) + count * ONE)) {
                return true;
            }
        }
    }

    /** Seals this message and returns its final word. */
    long seal() {
        long w = word;
        return (w & SEALED) != 0 ? w : (long) WORD.getAndBitwiseOr(this, SEALED) | SEALED;
    }

    /** Seals this message; returns its word if this call sealed it, or 0 if it was sealed already. */
    long sealIfOpen() {
        long before = (long) WORD.getAndBitwiseOr(this, SEALED);
        return (before & SEALED) != 0 ? 0 : before;
    }

    static int opsOf(long word) {
        return (int) (word & OPS_MASK);
    }

    static long countOf(long word) {
        return (word & ~SEALED) >>> COUNT_SHIFT;
    }

    @Override
    public String toString() {
        long w = word;
        return "Readiness[" + handle + ", ops=" + opsOf(w) + ", count=" + countOf(w)
                + ((w & SEALED) != 0 ? "" : ", open") + "]";
    }
}
