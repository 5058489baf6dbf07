package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's local queue of ready units: a bounded ring that only its owner pushes to, and that
 * anyone may take from (the owner at its turn, idle workers by stealing half, the monitor when it
 * rescues the queue of a stuck worker).
 */
final class RunQueue {
    /*
     * The shape of Go's per-P run queue. head and tail are ever-growing ints; an element's slot is
     * index & mask, and tail - head is the length (int arithmetic wraps harmlessly).
     *
     * - tail is written by the owner only: it stores the element (plain), then publishes it with a
     *   release store of tail. Takers load tail with acquire, so they see the element.
     * - head moves only by CAS, from h to h + n, by whoever takes the n elements at h..h+n-1: the
     *   owner, a stealer or the monitor. Each element is therefore taken exactly once.
     * - A taker reads the elements before its CAS. The owner writes a slot again only once head has
     *   moved past it; if that happened, head is no longer h and the taker's CAS fails, so what it
     *   read is thrown away and it retries. (Reusing the same head value needs 2^32 takes between
     *   a read and the CAS.)
     * - The owner's push loads head with acquire to see how much room the takers have made; a stale
     *   head only makes the ring look fuller than it is, and the owner then spills half of it to the
     *   global queue, as Go's runqputslow does.
     * - A stealer loads head before tail; other takers may move head meanwhile, so tail - head can
     *   look longer than the ring. Such an inconsistent read is retried.
     */
    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Schedulable[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(RunQueue.class, "head", int.class);
            TAIL = lookup.findVarHandle(RunQueue.class, "tail", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Schedulable[] slots = new Schedulable[CAPACITY];
    private volatile int head;
    private volatile int tail;

    /** Owner only: appends {@code unit}; returns {@code false} if the ring is full. */
    boolean push(Schedulable unit) {
        int h = (int) HEAD.getAcquire(this);
        int t = (int) TAIL.get(this);
        if (t - h >= CAPACITY) {
            return false;
        }
        SLOT.set(slots, t & MASK, unit);
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Any thread: takes the oldest unit, or returns {@code null} if the ring is empty. */
    Schedulable poll() {
        for (;;) {
            int h = (int) HEAD.getAcquire(this);
            int t = (int) TAIL.getAcquire(this);
            if (t == h) {
                return null;
            }
            Schedulable unit = (Schedulable) SLOT.getOpaque(slots, h & MASK);
            if (HEAD.compareAndSet(this, h, h + 1)) {
                return unit;
            }
        }
    }

    /**
     * Owner of this (empty) ring only: takes the older half of {@code victim}'s units (rounded up),
     * keeps all but the last of them here and returns that last one, or returns {@code null} if
     * the victim had nothing.
     */
    Schedulable stealFrom(RunQueue victim) {
        int t = (int) TAIL.get(this);
        for (;;) {
            int h = (int) HEAD.getAcquire(victim);
            int vt = (int) TAIL.getAcquire(victim);
            int n = vt - h;
            if (n <= 0) {
                return null;
            }
            if (n > CAPACITY) {
                continue;                                 // head moved on while we read tail
            }
            n -= n / 2;
            for (int i = 0; i < n; i++) {
                SLOT.set(slots, (t + i) & MASK, SLOT.getOpaque(victim.slots, (h + i) & MASK));
            }
            if (HEAD.compareAndSet(victim, h, h + n)) {
                Schedulable last = (Schedulable) SLOT.get(slots, (t + n - 1) & MASK);
                if (n > 1) {
                    TAIL.setRelease(this, t + n - 1);
                }
                return last;
            }
        }
    }

    /** Any thread: whether the ring holds no unit (a moment's snapshot, by acquire loads). */
    boolean isEmpty() {
        return (int) HEAD.getAcquire(this) == (int) TAIL.getAcquire(this);
    }

    /** Any thread: how many units the ring holds (a moment's snapshot). */
    int size() {
        int h = (int) HEAD.getAcquire(this);
        int t = (int) TAIL.getAcquire(this);
        return Math.max(0, Math.min(CAPACITY, t - h));
    }
}
