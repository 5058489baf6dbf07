package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The rarely used side of a bounded inbox: where senders park while it is full and its owner wakes
 * them (wake-on-pop), where senders that must not park leave a callback, and where a pass-through
 * set on the inbox lives while the inbox hands its queued messages on. Created lazily by the first
 * sender that has to wait (or leave a callback), or by the first pass-through, so an idle inbox has
 * none.
 */
final class SenderGate {
    /*
     * Wake-on-pop. A sender announces itself in `waiting` (under the lock) before its final offer
     * attempt; the owner, after taking a message, issues a full fence and reads `waiting`. This is a
     * Dekker pair: either the sender's retry sees the freed slot, or the owner sees the waiting
     * sender and signals it. The owner takes the lock only when somebody waits, so an uncontended
     * receive costs one fence.
     *
     * A sender that must not park leaves a one-shot callback instead (Inbox.onSpace): a Treiber
     * stack that the owner empties and runs after a take, behind the same fence. The sender pushes
     * (a CAS), then retries its offer: either the retry sees the freed slot, or the owner's read of
     * the stack after its fence sees the callback. Closing the inbox and publishing a pass-through
     * run the callbacks too, since either may send a waiting sender elsewhere.
     *
     * Hand-on (a pass-through set mid-stream). The lock guards `forward`, `handOnTarget` and
     * `moving`. handOff() marks the inbox HANDED_OFF, records the inner inbox, wakes the parked
     * senders, and publishes `forward` at once if the queue is empty; otherwise it starts a mover, a
     * virtual thread that takes from the queue (its one consumer while `moving`) and sends each
     * message on with an ordinary blocking send, and publishes `forward` under the lock once the
     * queue is empty. A late sender whose message lands after that starts a new mover and
     * unpublishes `forward` (under the lock). While `forward` is unpublished a send to the inbox is
     * MOVED and waits here (awaitHandOn), so no sender's next message can overtake one still being
     * handed on: per-sender order holds across the change, and the owner of the outer inbox is never
     * asked to forward anything. Whoever publishes `forward` (handOff() or the mover) then runs the
     * callbacks: a sender that must not park left one here when it was refused, and nothing else
     * would run it, since nobody takes from a handed-off queue again.
     */
    private static final System.Logger LOG = System.getLogger(Inbox.class.getName());
    private static final VarHandle WAITING;
    private static final VarHandle CALLBACKS;
    private static final VarHandle TAKEN_INLINE;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(SenderGate.class, "waiting", int.class);
            CALLBACKS = MethodHandles.lookup().findVarHandle(SenderGate.class, "callbacks", Callback.class);
            TAKEN_INLINE = MethodHandles.lookup().findVarHandle(SenderGate.class, "takenInline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a slot frees, the inbox closes, or its pass-through changes or is published. */
    private final Condition space = lock.newCondition();
    /** The inner inbox that sends go to, once published; written under {@link #lock}. */
    private volatile Inbox<?> forward;
    /** The inner inbox of the pass-through set on this gate's inbox; written under {@link #lock}. */
    private volatile Inbox<?> handOnTarget;
    /** Whether a thread is handing the inbox's queued messages on; guarded by {@link #lock}. */
    private boolean moving;
    private volatile int waiting;
    /** The space callbacks registered and not yet run, newest first; null when none. */
    private volatile Callback callbacks;
    /** The inbox's inline taker (Inbox.takeInline), or null; set once, before its owner starts. */
    private volatile Predicate<?> taker;
    /** Messages the inline taker handled: added to atomically by senders. */
    private volatile long takenInline;

    private record Callback(Runnable run, Callback next) {
    }

    /** The inner inbox that sends to this gate's inbox go to, or null (none, or not yet published). */
    Inbox<?> forward() {
        return forward;
    }

    /** The inner inbox of the pass-through set on this gate's inbox, published or not; null if none. */
    Inbox<?> passesThroughTo() {
        Inbox<?> f = forward;
        return f != null ? f : handOnTarget;
    }

    // ---------------------------------------------------------------- inline taking

    /** Sets the inbox's inline taker; returns false if it has one already. */
    boolean setTaker(Predicate<?> t) {
        lock.lock();
        try {
            if (taker != null) {
                return false;
            }
            taker = t;
            return true;
        } finally {
            lock.unlock();
        }
    }

    Predicate<?> taker() {
        return taker;
    }

    void countTakenInline() {
        TAKEN_INLINE.getAndAdd(this, 1L);
    }

    long takenInline() {
        return takenInline;
    }

    // ---------------------------------------------------------------- senders

    /**
     * Parks the sender until its offer into {@code inbox} (this gate's) is anything but FULL, or
     * the deadline passes; returns what the offer said.
     */
    int awaitRoom(Inbox<?> inbox, Object message, long deadline) throws InterruptedException {
        inbox.countBackPressureWait();
        Dispatcher.aboutToBlock();
        lock.lockInterruptibly();
        try {
            WAITING.getAndAdd(this, 1);
            try {
                for (int r = inbox.offerHere(message); ; r = inbox.offerHere(message)) {
                    if (r != Inbox.FULL) {
                        return r;
                    }
                    if (!Deadline.await(space, deadline)) {
                        space.signal();          // a take's signal this sender may have used up goes on to the next
                        throw inbox.sendTimeout("stayed full (capacity " + inbox.capacity() + ")");
                    }
                }
            } finally {
                WAITING.getAndAdd(this, -1);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Parks the sender until the messages queued at {@code inbox} before its pass-through was set are handed on. */
    void awaitHandOn(Inbox<?> inbox, long deadline) throws InterruptedException {
        Dispatcher.aboutToBlock();
        lock.lockInterruptibly();
        try {
            while (forward == null) {
                if (!Deadline.await(space, deadline)) {
                    throw inbox.sendTimeout("was still handing its queued messages on to " + handOnTarget);
                }
            }
        } finally {
            lock.unlock();
        }
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

    // ---------------------------------------------------------------- the owner

    /**
     * Called by the owner after it freed a slot and issued a full fence: wakes one parked sender,
     * if any, and runs the callbacks.
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

    // ---------------------------------------------------------------- hand-on (see the class comment)

    /** Hands {@code outer} (this gate's inbox) off to {@code inner}: Links.passThrough, under the link lock. */
    void handOff(Inbox<?> outer, Inbox<?> inner) {
        boolean published = false;
        lock.lock();
        try {
            outer.markHandedOff();
            handOnTarget = inner;
            if (!moving) {
                if (outer.hasMessages()) {
                    startMover(outer);
                } else {
                    forward = inner;
                    published = true;
                }
            }
            space.signalAll();
        } finally {
            lock.unlock();
        }
        if (published) {
            runCallbacks();
        }
    }

    /** A sender's message landed at {@code outer} after the hand-off: makes sure a mover takes it on. */
    void handOnLate(Inbox<?> outer) {
        lock.lock();
        try {
            if (!moving && outer.hasMessages()) {
                startMover(outer);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: unpublishes the pass-through and starts a thread to hand the queue on. */
    private void startMover(Inbox<?> outer) {
        moving = true;
        forward = null;
        Thread.ofVirtual().name("weft-hand-on " + outer).start(() -> handOn(outer));
    }

    /**
     * The mover: the queue's one consumer until it finds it empty under the lock and publishes the
     * pass-through; then runs the callbacks, whose senders can now deliver to the inner inbox.
     */
    private void handOn(Inbox<?> outer) {
        do {
            for (Object m; (m = outer.takeHandedOff()) != null; ) {
                SendPath.handOn(outer, handOnTarget, m);
            }
        } while (!publishIfEmpty(outer));
        runCallbacks();
    }

    private boolean publishIfEmpty(Inbox<?> outer) {
        lock.lock();
        try {
            if (outer.hasMessages()) {
                return false;
            }
            moving = false;
            forward = handOnTarget;
            space.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
