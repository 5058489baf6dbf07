package dev.weft.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The one form a deadline takes inside the runtime: a {@link System#nanoTime()} instant, or
 * {@link #NONE} for "wait as long as it takes". Waits compare against it; nothing passes a
 * separate "is this timed" flag.
 */
final class Deadline {
    /** No deadline: wait until the awaited thing happens (or the waiter is interrupted). */
    static final long NONE = Long.MAX_VALUE;

    private Deadline() {
    }

    /** The deadline {@code timeout} from now; a timeout too long to represent is {@link #NONE}. */
    static long after(Duration timeout) {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= NONE - now ? NONE : now + Math.max(0, nanos);
    }

    /** Nanoseconds left until {@code deadline} (never negative; {@link Long#MAX_VALUE} for {@link #NONE}). */
    static long left(long deadline) {
        return deadline == NONE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }

    /** What is left until {@code deadline}, as a timeout to hand to an API that takes one. */
    static Duration remaining(long deadline) {
        return Duration.ofNanos(left(deadline));
    }

    /**
     * One wait on {@code condition} (whose lock the caller holds) until signalled or the deadline.
     *
     * @return false if the deadline had already passed (nothing was awaited), true otherwise
     */
    static boolean await(Condition condition, long deadline) throws InterruptedException {
        if (deadline == NONE) {
            condition.await();
            return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        condition.await(left, TimeUnit.NANOSECONDS);
        return true;
    }
}
