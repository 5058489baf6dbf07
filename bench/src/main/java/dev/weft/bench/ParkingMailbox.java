package dev.weft.bench;

import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The floor: a JCTools MPSC queue (the same flavour Weft uses) plus plain park/unpark, with no
 * runtime around it. The receiver polls up to {@code spins} times, then publishes that it is
 * parked, re-checks, parks; a sender offers, then unparks the receiver only if it is parked. A full
 * queue makes the sender yield and retry.
 */
final class ParkingMailbox<T> {
    /** The spin-then-park floor's polls before parking. */
    static final int SPINS = 64;
    private final MpscAtomicArrayQueue<T> queue;
    private final int spins;
    private volatile Thread parked;

    ParkingMailbox(int capacity, int spins) {
        this.queue = new MpscAtomicArrayQueue<>(capacity);
        this.spins = spins;
    }

    void send(T message) {
        while (!queue.offer(message)) {
            Thread.yield();
        }
        Thread receiver = parked;
        if (receiver != null) {
            LockSupport.unpark(receiver);
        }
    }

    /** Called by the one receiver thread only. */
    T receive() {
        T m = queue.poll();
        for (int i = 0; m == null && i < spins; i++) {
            m = queue.poll();
        }
        if (m != null) {
            return m;
        }
        parked = Thread.currentThread();
        while ((m = queue.poll()) == null) {
            LockSupport.park(this);
        }
        parked = null;
        return m;
    }
}
