package dev.weft.bench;

import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The floor: a JCTools MPSC queue (the same flavour Weft uses) plus plain park/unpark, with no
 * spinning and no runtime around it. The receiver publishes that it is parked, re-checks, parks;
 * a sender offers, then unparks the receiver only if it is parked. A full queue makes the sender
 * yield and retry.
 */
final class ParkingMailbox<T> {
    private final MpscAtomicArrayQueue<T> queue;
    private volatile Thread parked;

    ParkingMailbox(int capacity) {
        this.queue = new MpscAtomicArrayQueue<>(capacity);
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
