package dev.weft.runtime.io;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * A channel registered with the {@link SelectorService} for its whole life. Its owner arms the
 * operations it wants to hear about; when the channel is ready for some of them they are disarmed
 * and a {@link Readiness} goes to the owner's inbox. Arming and disarming never re-register the
 * channel, and cost no selector wake-up while the selector thread is awake.
 *
 * <p>The handle ends when {@link #close()} is called (which also closes the channel), when its owner
 * component ends, or when the channel is closed by other means. Arming an ended handle does nothing.
 */
public final class ChannelHandle {
    private static final int ALL_OPS = SelectionKey.OP_READ | SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT
            | SelectionKey.OP_ACCEPT;
    private static final VarHandle ARMED;
    private static final VarHandle QUEUED;
    private static final VarHandle TRANSFERRED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ARMED = lookup.findVarHandle(ChannelHandle.class, "armed", int.class);
            QUEUED = lookup.findVarHandle(ChannelHandle.class, "queued", boolean.class);
            TRANSFERRED = lookup.findVarHandle(ChannelHandle.class, "transferred", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SelectorLoop loop;
    private final SelectableChannel channel;
    /** The ops the owner wants to hear about; the selector clears the ones that fire. */
    private volatile int armed;
    /** True while this handle sits in the loop's change queue (so it is queued at most once). */
    private volatile boolean queued;
    private volatile boolean transferred;
    private volatile boolean closeRequested;
    private volatile boolean ended;
    private volatile Inbox<? super Readiness> owner;
    /** The last readiness message sent; written by the selector thread, sealed by the owner. */
    private volatile Readiness inFlight;
    /** Selector thread only. */
    private SelectionKey key;

    ChannelHandle(SelectorLoop loop, SelectableChannel channel, Inbox<? super Readiness> owner) {
        this.loop = loop;
        this.channel = channel;
        this.owner = owner;
    }

    /** Returns the registered channel. */
    public SelectableChannel channel() {
        return channel;
    }

    /** Returns the inbox that readiness goes to now. */
    public Inbox<? super Readiness> owner() {
        return owner;
    }

    /**
     * Asks for a {@link Readiness} when the channel is ready for any of {@code ops}
     * ({@link SelectionKey} {@code OP_*} bits). Closes the readiness message in flight, if any, so
     * that later readiness comes in a new message.
     */
    public void arm(int ops) {
        checkOps(ops);
        Readiness last = inFlight;
        if (last != null) {
            last.seal();
        }
        int before = (int) ARMED.getAndBitwiseOr(this, ops);
        if ((before | ops) != before) {
            loop.changed(this);
        }
    }

    /** Stops asking about {@code ops}. A readiness already sent may still arrive. */
    public void disarm(int ops) {
        checkOps(ops);
        int before = (int) ARMED.getAndBitwiseAnd(this, ~ops);
        if ((before & ops) != 0) {
            loop.changed(this);
        }
    }

    /** Deregisters the channel and closes it. Idempotent; the close completes on the selector thread. */
    public void close() {
        closeRequested = true;
        loop.changed(this);
    }

    /** Returns whether the handle is still registered (or about to be) and its channel open. */
    public boolean isOpen() {
        return !closeRequested && !ended && channel.isOpen();
    }

    @Override
    public String toString() {
        return "ChannelHandle[" + channel + "]";
    }

    // ---------------------------------------------------------------- package internals

    private static void checkOps(int ops) {
        if ((ops & ~ALL_OPS) != 0 || ops == 0) {
            throw new IllegalArgumentException("not a set of SelectionKey.OP_* bits: " + ops);
        }
    }

    void transferTo(Inbox<? super Readiness> newOwner) {
        Component before = owner.owner();
        owner = newOwner;
        transferred = true;
        loop.changed(this);
        loop.owners.remove(before, this);
        loop.owners.add(newOwner.owner(), this);
    }

    void watchOwner() {
        loop.owners.add(owner.owner(), this);
    }

    /** Marks this handle queued; returns false if it already was. */
    boolean markQueued() {
        return !queued && QUEUED.compareAndSet(this, false, true);
    }

    void clearQueued() {
        QUEUED.setVolatile(this, false);
    }

    boolean takeTransferred() {
        return transferred && TRANSFERRED.compareAndSet(this, true, false);
    }

    boolean closeRequested() {
        return closeRequested;
    }

    boolean ended() {
        return ended;
    }

    void markEnded() {
        ended = true;
    }

    int armed() {
        return armed;
    }

    /** Clears fired ops from the armed set (selector thread); returns the ops still armed. */
    int disarmFired(int fired) {
        return (int) ARMED.getAndBitwiseAnd(this, ~fired) & ~fired;
    }

    SelectionKey key() {
        return key;
    }

    void key(SelectionKey k) {
        key = k;
    }

    Readiness inFlight() {
        return inFlight;
    }

    void inFlight(Readiness r) {
        inFlight = r;
    }
}
