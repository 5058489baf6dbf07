package dev.weft.kvs.check;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a target currently serves with (a store, a server's address), or nothing while it is down:
 * sessions wait here instead of failing fast, so a restart does not burn the workload's operations.
 */
public final class Serving<T> {
    /** How long a session waits for the target to come back. */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition up = lock.newCondition();
    private T current;

    /** Serves with {@code value} from now on and wakes the waiting sessions. */
    public void up(T value) {
        lock.lock();
        try {
            current = value;
            up.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the target down; returns what it served with (null if it was down already). */
    public T down() {
        lock.lock();
        try {
            T was = current;
            current = null;
            return was;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the target serves and returns what it serves with.
     *
     * @throws NotApplied if it does not come back within {@link #PATIENCE} (the call was never made)
     */
    public T await() throws InterruptedException, NotApplied {
        long left = PATIENCE.toNanos();
        lock.lock();
        try {
            while (current == null) {
                if (left <= 0) {
                    throw new NotApplied("the target did not come back within " + PATIENCE, null);
                }
                left = up.awaitNanos(left);
            }
            return current;
        } finally {
            lock.unlock();
        }
    }
}
