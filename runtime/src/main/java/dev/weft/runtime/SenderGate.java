package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where senders park while a bounded inbox is full, and where its owner wakes them (wake-on-pop);
 * also where they wait while a pass-through set on the inbox hands its queued messages on.
 *
 * <p>A sender announces itself in {@code waiting} before its final offer attempt; the owner, after
 * taking a message, issues a full fence and reads {@code waiting}. This is a Dekker pair: either the
 * sender's retry sees the freed slot, or the owner sees the waiting sender and signals it. The
 * owner only takes the lock when somebody waits, so an uncontended receive costs one fence.
 * Created lazily by the first sender that has to wait (or leave a callback), or by the first
 * pass-through.
 *
 * <p>A sender that must not park leaves a one-shot callback instead ({@link Inbox#onSpace}): a
 * Treiber stack that the owner empties and runs after a take, behind the same fence. The sender
 * pushes (a CAS), then retries its offer: either the retry sees the freed slot, or the owner's
 * read of the stack after its fence sees the callback. Closing the inbox and publishing a
 * pass-through run the callbacks too, since either may send a waiting sender elsewhere.
 */
final class SenderGate {
    private static final System.Logger LOG = System.getLogger(Inbox.class.getName());
    private static final VarHandle WAITING;
    private static final VarHandle CALLBACKS;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(SenderGate.class, "waiting", int.class);
            CALLBACKS = MethodHandles.lookup().findVarHandle(SenderGate.class, "callbacks", Callback.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a slot frees, the inbox closes, or its pass-through changes or is published. */
    final Condition space = lock.newCondition();
    /** The inner inbox of a pass-through set on this gate's inbox; written under {@link #lock}. */
    volatile Inbox<?> handOnTarget;
    /** Whether a thread is handing the inbox's queued messages on; guarded by {@link #lock}. */
    boolean moving;
    private volatile int waiting;
    /** The space callbacks registered and not yet run, newest first; null when none. */
    private volatile Callback callbacks;

    private record Callback(Runnable run, Callback next) {
    }

    /** Called by a sender holding {@link #lock}, before its final offer attempt. */
    void enter() {
        WAITING.getAndAdd(this, 1);
    }

    /** Called by a sender holding {@link #lock} when it stops waiting. */
    void leave() {
        WAITING.getAndAdd(this, -1);
    }

    /**
     * Called by the owner after it freed a slot and issued a full fence: wakes one parked sender,
     * if any.
     */
    void signalOneIfWaiting() {
        if (waiting != 0) {
            lock.lock();
            try {
                space.signal();
            } finally {
                lock.unlock();
            }
        }
        if (callbacks != null) {
            runCallbacks();
        }
    }

    /** Wakes every parked sender and runs every callback, so that each sees the inbox closed. */
    void wakeAll() {
        lock.lock();
        try {
            space.signalAll();
        } finally {
            lock.unlock();
        }
        runCallbacks();
    }

    /** Registers a one-shot callback, run after the owner's next take (see {@link Inbox#onSpace}). */
    void addCallback(Runnable run) {
        for (;;) {
            Callback head = callbacks;
            if (CALLBACKS.compareAndSet(this, head, new Callback(run, head))) {
                return;
            }
        }
    }

    /** Takes every registered callback off the stack and runs it; one that throws is logged. */
    void runCallbacks() {
        for (Callback c = (Callback) CALLBACKS.getAndSet(this, null); c != null; c = c.next()) {
            try {
                c.run().run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a space callback failed", e);
            }
        }
    }
}
