package dev.weft.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails a stress test (instead of letting it hang) when its progress counter stops moving.
 * The test bumps {@link #progress()} as work completes and waits with {@link #await}.
 */
final class Watchdog implements AutoCloseable {
    private final AtomicLong progress = new AtomicLong();
    private final CompletableFuture<Void> stalled = new CompletableFuture<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchdog");
        t.setDaemon(true);
        return t;
    });

    Watchdog(Duration maxStall) {
        long[] last = {-1};
        timer.scheduleAtFixedRate(() -> {
            long now = progress.get();
            if (now == last[0]) {
                stalled.completeExceptionally(new TimeoutException(
                        "no progress for " + maxStall + " (stuck at " + now + ")"));
            }
            last[0] = now;
        }, maxStall.toMillis(), maxStall.toMillis(), TimeUnit.MILLISECONDS);
    }

    AtomicLong progress() {
        return progress;
    }

    /** Waits for {@code done}; throws if progress stalls first. */
    <T> T await(CompletableFuture<T> done) throws Exception {
        CompletableFuture.anyOf(done, stalled).get();
        return done.getNow(null);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
