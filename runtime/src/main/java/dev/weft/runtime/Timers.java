package dev.weft.runtime;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Delivers messages to inboxes after a delay or periodically, from {@link Weft#timers()}.
 *
 * <pre>{@code
 * Timer once = weft.timers().after(Duration.ofMillis(200), worker.inbox, new Deadline());
 * Timer tick = weft.timers().every(Duration.ofSeconds(1), monitor.inbox, Tick::new);
 * tick.cancel();
 * }</pre>
 *
 * <p>All timers of a runtime share one platform thread, which only ever hands messages over with
 * {@link Inbox#trySend}, so a full inbox never holds it up. A one-shot timer that finds its inbox
 * full delivers from a virtual thread with a blocking {@link Inbox#send}, so its message waits for
 * room like any other (and is never lost). A periodic timer that finds its inbox full skips that
 * tick (counted in {@code weft.timer.ticks.skipped}): a slow receiver sees fewer ticks, never a
 * pile-up. A timer whose target has ended stops. {@link Weft#close()} cancels every timer.
 *
 * <p>To wait for a message with a deadline instead, a component uses {@link Inbox#receive(Duration)}
 * or {@link Component#select(Duration, Inbox...)}.
 */
public final class Timers {
    private static final System.Logger LOG = System.getLogger(Timers.class.getName());

    private final ScheduledThreadPoolExecutor executor;
    private final Metrics metrics;

    Timers(Metrics metrics) {
        this.metrics = metrics;
        this.executor = new ScheduledThreadPoolExecutor(1,
                task -> Thread.ofPlatform().name("weft-timers").daemon().unstarted(task));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /**
     * Delivers {@code message} to {@code target} once, after {@code delay}.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> Timer after(Duration delay, Sink<? super T> target, T message) {
        Objects.requireNonNull(message, "message");
        Delivery<T> d = new Delivery<>(target, () -> message, false);
        return d.bind(schedule(() -> executor.schedule(d, delay.toNanos(), TimeUnit.NANOSECONDS)));
    }

    /**
     * Delivers a message from {@code message} to {@code target} every {@code period}, the first one
     * after one period, until cancelled. The supplier runs on the timer thread and must not block. If
     * it throws (an {@link Error} included), the failure is logged and the timer cancelled.
     *
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> Timer every(Duration period, Sink<? super T> target, Supplier<? extends T> message) {
        Objects.requireNonNull(message, "message");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        long nanos = period.toNanos();
        Delivery<T> d = new Delivery<>(target, message, true);
        return d.bind(schedule(() -> executor.scheduleAtFixedRate(d, nanos, nanos, TimeUnit.NANOSECONDS)));
    }

    /** Cancels every timer; called by {@link Weft#close()}. */
    void close() {
        executor.shutdownNow();
    }

    private static Future<?> schedule(Supplier<Future<?>> submit) {
        try {
            return submit.get();
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the runtime is closed; no new timers");
        }
    }

    /** One timer: the task the executor runs and the handle its user cancels. */
    private static final int PENDING = 0;
    private static final int FIRED = 1;
    private static final int CANCELLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Delivery.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final class Delivery<T> implements Timer, Runnable {
        /*
         * state leaves PENDING by CAS only. A one-shot timer goes PENDING -> FIRED on the timer
         * thread just before it delivers, or PENDING -> CANCELLED in cancel(): a cancel() that
         * returns true has won against the delivery.
         *
         * A periodic timer stays PENDING until cancelled, and runs each tick (a supplier call and a
         * trySend, never blocking) holding `tick` and only if still PENDING. cancel() takes `tick`
         * before its CAS, so it parks (never spins) while a tick is under way, and no tick is in
         * progress or starts once it returns. The lock is reentrant, so a cancel() from inside a
         * tick (the supplier's own, or the delivery failing) goes straight through. A tick that
         * throws anything, an Error included, releases the lock and cancels its timer.
         * cancel() also removes the task from the executor.
         */
        private final Sink<? super T> target;
        private final Supplier<? extends T> message;
        private final boolean periodic;
        private final ReentrantLock tick;
        private volatile int state;
        private volatile Future<?> future;

        Delivery(Sink<? super T> target, Supplier<? extends T> message, boolean periodic) {
            this.target = Objects.requireNonNull(target, "target");
            this.message = message;
            this.periodic = periodic;
            this.tick = periodic ? new ReentrantLock() : null;
        }

        Timer bind(Future<?> scheduled) {
            future = scheduled;
            if (state == CANCELLED) {
                scheduled.cancel(false);
            }
            return this;
        }

        @Override
        public boolean cancel() {
            if (!periodic) {
                return cancelNow();
            }
            tick.lock();
            try {
                return cancelNow();
            } finally {
                tick.unlock();
            }
        }

        private boolean cancelNow() {
            if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
                return false;
            }
            Future<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }

        @Override
        public void run() {
            if (!periodic) {
                if (STATE.compareAndSet(this, PENDING, FIRED)) {
                    deliver();
                }
                return;
            }
            tick.lock();
            try {
                if (state == PENDING) {
                    deliver();
                }
            } finally {
                tick.unlock();
            }
        }

        private void deliver() {
            try {
                T m = Objects.requireNonNull(message.get(), "timer message");
                if (!SendPath.trySend(target, m)) {
                    whenFull(m);
                }
            } catch (InboxClosedException ended) {
                cancelNow();
            } catch (Throwable e) {
                LOG.log(e instanceof Error ? Level.ERROR : Level.WARNING,
                        "timer for " + target + " failed and is cancelled", e);
                cancelNow();
            }
        }

        private void whenFull(T m) {
            if (periodic) {
                metrics.ticksSkipped.increment();
                return;
            }
            Thread.ofVirtual().name("weft-timer-delivery").start(() -> {
                try {
                    SendPath.send(target, m, Deadline.NONE);
                } catch (InboxClosedException ended) {
                    // The receiver ended while we waited for room; the inbox counted the dead letter.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public String toString() {
            return (periodic ? "periodic timer to " : "timer to ") + target;
        }
    }
}
