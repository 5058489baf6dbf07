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
 * Created lazily by the first sender that has to wait, or by the first pass-through.
 */
final class SenderGate {
    private static final VarHandle WAITING;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(SenderGate.class, "waiting", int.class);
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
    }

    /** Wakes every parked sender, so that each sees the inbox closed. */
    void wakeAll() {
        lock.lock();
        try {
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
