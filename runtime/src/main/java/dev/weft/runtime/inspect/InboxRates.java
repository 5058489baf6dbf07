package dev.weft.runtime.inspect;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns the {@link InboxInfo#received()} counts of successive snapshots into messages per second.
 *
 * <p>Each call compares the snapshot with a baseline sample and returns the rate of every inbox seen
 * in both. The baseline moves to the new sample only once it is at least {@code minInterval} old,
 * so several clients polling quickly still see rates measured over a useful interval. Safe to call
 * from any thread.
 */
public final class InboxRates {
    private final long minIntervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private Map<BoxRef, Long> baseline;
    private long baselineAt;

    /** Creates a rate tracker that moves its baseline at most once per {@code minIntervalMillis}. */
    public InboxRates(long minIntervalMillis) {
        if (minIntervalMillis < 1) {
            throw new IllegalArgumentException("minIntervalMillis must be positive: " + minIntervalMillis);
        }
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
    }

    /** Returns the receive rate (messages per second) of each inbox in {@code snapshot}, measured now. */
    public Map<BoxRef, Double> update(GraphSnapshot snapshot) {
        return update(snapshot, System.nanoTime());
    }

    Map<BoxRef, Double> update(GraphSnapshot snapshot, long nowNanos) {
        Map<BoxRef, Long> counts = new HashMap<>();
        for (ComponentInfo c : snapshot.components()) {
            for (InboxInfo in : c.inboxes()) {
                counts.put(new BoxRef(c.id(), in.name()), in.received());
            }
        }
        lock.lock();
        try {
            Map<BoxRef, Double> rates = new HashMap<>();
            long elapsed = nowNanos - baselineAt;
            if (baseline != null && elapsed > 0) {
                double seconds = elapsed / 1e9;
                counts.forEach((box, count) -> {
                    Long before = baseline.get(box);
                    if (before != null) {
                        rates.put(box, Math.max(0, count - before) / seconds);
                    }
                });
            }
            if (baseline == null || elapsed >= minIntervalNanos) {
                baseline = counts;
                baselineAt = nowNanos;
            }
            return rates;
        } finally {
            lock.unlock();
        }
    }
}
