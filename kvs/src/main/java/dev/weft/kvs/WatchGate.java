package dev.weft.kvs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets a connection's watches send frames straight to its socket until the connection has sent its
 * last frame (a fault's error frame, or its end): after {@link #shut()} returns, no watch frame is
 * queued behind that frame.
 */
final class WatchGate {
    /*
     * One word: the SHUT bit and the number of senders inside. enter() CASes the count up unless SHUT
     * is set; leave() counts down. shut() stores the shutter thread, sets SHUT (after which nobody
     * enters), then parks until the count is zero. The sender whose leave() brings the count to zero
     * with SHUT set reads the shutter and unparks it; the shutter was stored before SHUT was
     * published, so that read sees it, and an unpark before the park is kept as a permit. A sender
     * inside waits for space in bounded slices and gives up once SHUT is set, so shut() waits at most
     * one slice; a publishing thread's trySend inside never waits at all.
     */
    private static final int SHUT = 1 << 30;
    private final AtomicInteger word = new AtomicInteger();
    private volatile Thread shutter;

    /** Returns true and lets the caller send, or false once the gate is shut. */
    boolean enter() {
        for (;;) {
            int w = word.get();
            if ((w & SHUT) != 0) {
                return false;
            }
            if (word.compareAndSet(w, w + 1)) {
                return true;
            }
        }
    }

    /** Called once by every sender that {@link #enter() entered}, when its send is done or given up. */
    void leave() {
        if (word.decrementAndGet() == SHUT) {
            LockSupport.unpark(shutter);
        }
    }

    boolean isShut() {
        return (word.get() & SHUT) != 0;
    }

    /** Shuts the gate and waits until every sender inside has left. Called by the connection only. */
    void shut() {
        shutter = Thread.currentThread();
        word.getAndUpdate(w -> w | SHUT);
        while (word.get() != SHUT) {
            LockSupport.park(this);
        }
    }
}
