package dev.weft.runtime.io;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.Sink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A channel registered with the {@link SelectorService} for its whole life. Its owner arms the
 * operations it wants to hear about; when the channel is ready for some of them they are disarmed
 * and a {@link Readiness} goes to the owner's inbox. Arming and disarming never re-register the
 * channel.
 *
 * <p><b>Arm after the operation would block.</b> Read (write, accept) until the channel returns
 * 0 bytes (or {@code null}), then arm. On the epoll backend readiness is edge-triggered: the
 * service hears of new data, not of data left unread, so an owner that arms with bytes still
 * unread waits until the peer sends more. An owner that stops early on purpose (to be fair to its
 * other inboxes) keeps reading later without arming. Readiness is a hint either way: an operation
 * may still find nothing to do.
 *
 * <p>The handle ends when {@link #close()} is called (which also closes the channel), when its owner
 * component ends, or when the channel is closed by other means. Arming an ended handle does nothing.
 */
public final class ChannelHandle {
    /*
     * `word` holds the handle's small state for both backends, changed by CAS or getAndBitwise ops:
     *   bits 0-7   ARMED   the ops the owner wants to hear about (SelectionKey.OP_* fit in 5 bits)
     *   bits 8-15  PENDING ops the channel became ready for while they were not armed (epoll only:
     *              an edge that nobody waited for is kept here and consumed by the next arm)
     *   QUEUED     the handle sits in the NIO loop's change queue (so it is queued at most once)
     *   CLOSING    close() was called
     *   ENDED      the handle is deregistered; nothing changes it any more
     *   PEER_SHUT  (epoll) the peer shut down its output: end of stream stays readable, so every
     *              arm of an input op fires at once, as a level-triggered selector would
     * `inFlight` is the last readiness message made for this handle; Poller.fire replaces it by CAS,
     * so at most one open message is ever in flight (see Readiness).
     */
    static final int OPS = 0xFF;
    static final int PENDING_SHIFT = 8;
    static final int QUEUED = 1 << 16;
    static final int CLOSING = 1 << 17;
    static final int ENDED = 1 << 18;
    static final int PEER_SHUT = 1 << 19;
    private static final int ALL_OPS = SelectionKey.OP_READ | SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT
            | SelectionKey.OP_ACCEPT;
    private static final VarHandle WORD;
    private static final VarHandle IN_FLIGHT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORD = lookup.findVarHandle(ChannelHandle.class, "word", int.class);
            IN_FLIGHT = lookup.findVarHandle(ChannelHandle.class, "inFlight", Readiness.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Poller poller;
    private final SelectableChannel channel;
    /** The ops that input readiness (data, a connection, end of stream) means for this channel. */
    final int inOps;
    /** The ops that output readiness (room to write, a finished connect) means for this channel. */
    final int outOps;
    private volatile int word;
    private volatile Inbox<? super Readiness> owner;
    private volatile Readiness inFlight;
    /** NIO backend: the selection key, touched by the selector thread only. */
    SelectionKey key;
    /** Epoll backend: the token in the epoll registration (slot and generation); fixed once registered. */
    long token;

    ChannelHandle(Poller poller, SelectableChannel channel, Inbox<? super Readiness> owner) {
        this.poller = poller;
        this.channel = channel;
        this.owner = owner;
        int valid = channel.validOps();
        this.inOps = valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        this.outOps = valid & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
    }

    /** Returns the registered channel. */
    public SelectableChannel channel() {
        return channel;
    }

    /** Returns where readiness goes now: compare it with the inbox a component handed in, to tell a handle it still owns. */
    public Sink<? super Readiness> owner() {
        return owner;
    }

    /** The owner's inbox itself, for the selector's own bookkeeping. */
    Inbox<? super Readiness> ownerInbox() {
        return owner;
    }

    /**
     * Asks for a {@link Readiness} when the channel is ready for any of {@code ops}
     * ({@link SelectionKey} {@code OP_*} bits); call it after the operation would block. Closes the
     * readiness message in flight, if any, so that later readiness comes in a new message. Costs no
     * system call on the epoll backend, and no selector wake-up on either while the selector thread
     * is busy. Any thread may call it (on both backends it is a CAS on the handle, plus a queued
     * change on NIO): a thread that writes on the owner's behalf, as a {@code SocketAdapter}'s sender
     * does, arms the write it could not finish.
     */
    public void arm(int ops) {
        checkOps(ops);
        Readiness last = inFlight;
        if (last != null) {
            last.seal();
        }
        poller.arm(this, ops);
    }

    /** Stops asking about {@code ops}. A readiness already sent may still arrive. */
    public void disarm(int ops) {
        checkOps(ops);
        poller.disarm(this, ops);
    }

    /** Deregisters the channel and closes it. Idempotent. */
    public void close() {
        poller.close(this);
    }

    /** Returns whether the handle is still registered (or about to be) and its channel open. */
    public boolean isOpen() {
        return (word & (CLOSING | ENDED)) == 0 && channel.isOpen();
    }

    @Override
    public String toString() {
        return "ChannelHandle[" + channel + "]";
    }

    // ---------------------------------------------------------------- package internals

    private void checkOps(int ops) {
        if ((ops & ~ALL_OPS) != 0 || ops == 0) {
            throw new IllegalArgumentException("not a set of SelectionKey.OP_* bits: " + ops + " (arming " + this + ")");
        }
    }

    /** Moves the handle to {@code newOwner}: later readiness, and an unread message, go there. */
    void transferTo(Inbox<? super Readiness> newOwner) {
        Inbox<? super Readiness> before = owner;
        owner = newOwner;
        poller.registry.owners.remove(before, this);
        poller.registry.owners.add(newOwner, this);
        redeliverInFlight();
    }

    /** After a transfer: a message still unread at the old owner is sealed and sent again to the owner now. */
    void redeliverInFlight() {
        Readiness last = inFlight;
        if (last != null) {
            long w = last.sealIfOpen();
            if (w != 0) {
                poller.fire(this, Readiness.opsOf(w), Readiness.countOf(w));
            }
        }
    }

    int word() {
        return word;
    }

    boolean casWord(int expected, int next) {
        return WORD.compareAndSet(this, expected, next);
    }

    /** Sets bits; returns the word before. */
    int setBits(int bits) {
        return (int) WORD.getAndBitwiseOr(this, bits);
    }

    /** Clears bits; returns the word before. */
    int clearBits(int bits) {
        return (int) WORD.getAndBitwiseAnd(this, ~bits);
    }

    int armed() {
        return word & OPS;
    }

    boolean ended() {
        return (word & ENDED) != 0;
    }

    Readiness inFlight() {
        return inFlight;
    }

    boolean casInFlight(Readiness expected, Readiness next) {
        return IN_FLIGHT.compareAndSet(this, expected, next);
    }
}
