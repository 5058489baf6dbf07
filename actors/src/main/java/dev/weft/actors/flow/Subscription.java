package dev.weft.actors.flow;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscriber's bounded buffer between a {@link Backplane} (the only producer) and a
 * {@link SubscribeTo} (the only consumer).
 */
final class Subscription<T> {
    /*
     * The buffer is an ArrayDeque under a lock: the overflow policies need to drop the oldest
     * element or refuse the newest atomically with the capacity check, which an inbox cannot do for
     * anyone but its owner. Waking the consumer: the producer calls wake() only when its offer made
     * the buffer go from empty to non-empty (or closed it). The consumer drains until take() finds
     * the buffer empty and only then waits, so any offer after that empty take is a transition and
     * wakes it: no wake-up is lost, and a busy consumer costs the producer no wake-up at all.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<T> buffer;
    private final int capacity;
    private final Overflow policy;
    private final Runnable wake;
    private long dropped;
    private boolean closed;
    private boolean overflowed;

    Subscription(int capacity, Overflow policy, Runnable wake) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.policy = policy;
        this.wake = wake;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** {@link #offer} results. */
    static final int DELIVERED = 0;
    static final int DROPPED = 1;
    static final int DISCONNECTED = 2;
    static final int GONE = 3;

    /**
     * Offers a message under the policy: {@link #DELIVERED} (buffered), {@link #DROPPED} (it or
     * the oldest was dropped), {@link #DISCONNECTED} (it did not fit, and the subscription is now
     * closed) or {@link #GONE} (closed before; forget it).
     */
    int offer(T message) throws InterruptedException {
        int result = DELIVERED;
        boolean wakeUp;
        lock.lockInterruptibly();
        try {
            if (closed) {
                return GONE;
            }
            if (buffer.size() >= capacity) {
                switch (policy) {
                    case BLOCK -> {
                        while (buffer.size() >= capacity && !closed) {
                            notFull.await();
                        }
                        if (closed) {
                            return GONE;
                        }
                    }
                    case DROP_OLDEST -> {
                        buffer.poll();
                        result = DROPPED;
                    }
                    case DROP_NEWEST -> {
                        dropped++;
                        return DROPPED;
                    }
                    case DISCONNECT -> {
                        closed = true;
                        overflowed = true;
                        result = DISCONNECTED;
                    }
                }
            }
            if (result == DELIVERED || result == DROPPED) {
                wakeUp = buffer.isEmpty();
                buffer.add(message);
            } else {
                wakeUp = true;
            }
            if (result != DELIVERED) {
                dropped++;
            }
        } finally {
            lock.unlock();
        }
        if (wakeUp) {
            wake.run();
        }
        return result;
    }

    /** Takes the oldest buffered message, or returns {@code null} if there is none. */
    T take() {
        lock.lock();
        try {
            T m = buffer.poll();
            if (m != null && policy == Overflow.BLOCK) {
                notFull.signal();
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the subscription; a producer waiting for room gives up. Buffered messages can still be taken. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        wake.run();
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    boolean overflowed() {
        lock.lock();
        try {
            return overflowed;
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    int capacity() {
        return capacity;
    }

    Overflow policy() {
        return policy;
    }
}
