package dev.weft.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The portable backend: a {@link Selector} (level-triggered) whose interest sets follow the handles'
 * armed ops. Runs everywhere; the default where the epoll backend is unavailable.
 */
final class NioPoller extends Poller {
    /*
     * Interest changes. Only this thread touches SelectionKeys (register, interestOps, cancel), so the
     * JDK's own selector locks are never contended. An owner that changes its handle (arm, disarm,
     * close) updates the handle's word, then enqueues the handle in `changes` (an MPSC queue) unless
     * it is queued already (the QUEUED bit, set with getAndBitwiseOr). The loop clears QUEUED before it
     * reads the handle's word, so a change made after that read enqueues again: none is missed, and
     * each handle sits in the queue at most once.
     *
     * Wake-ups. `state` is AWAKE while this thread runs, SELECTING from just before select() until it
     * returns, WOKEN once someone has paid for a wake-up of that select. The loop does
     *     state = SELECTING (volatile store); if changes non-empty: state = AWAKE, loop; else select()
     * and an owner does
     *     changes.offer(h) (volatile CAS); if state == SELECTING and CAS(SELECTING -> WOKEN): wakeup()
     * Both sides write then read the other's variable with volatile accesses, so they are totally
     * ordered (Dekker): either the loop's re-check sees the new change, or the owner sees SELECTING
     * and wakes the selector. A wakeup() that lands before select() starts makes it return at once.
     * While the loop is AWAKE an owner pays nothing but the enqueue, which is what makes re-arming
     * after each readiness cheap under load. The CAS to WOKEN makes the first of many concurrent
     * owners pay for one wakeup() per select().
     *
     * Readiness. A fired op is cleared from the handle's armed set and from the key, then handed to
     * Poller.fire. Nothing here kills the loop: a cancelled key or closed channel ends that handle, an
     * exception from select() is logged and counted.
     */
    private static final int AWAKE = 0;
    private static final int SELECTING = 1;
    private static final int WOKEN = 2;
    private static final int CHANGES_PER_ROUND = 4096;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(NioPoller.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Selector selector;
    private final MessagePassingQueue<ChannelHandle> changes = new MpscUnboundedAtomicArrayQueue<>(256);
    private volatile int state;
    /** Keys in the selector after the last select (cancelled keys leave at a select); for tests. */
    private volatile int registered;

    NioPoller(Registry registry) {
        super(registry);
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    @Override
    String backend() {
        return "nio";
    }

    int registered() {
        return registered;
    }

    // ---------------------------------------------------------------- any thread

    @Override
    void register(ChannelHandle h) {
        changed(h);
    }

    @Override
    void arm(ChannelHandle h, int ops) {
        int before = h.setBits(ops);
        if ((before | ops) != before) {
            changed(h);
        }
    }

    @Override
    void disarm(ChannelHandle h, int ops) {
        int before = h.clearBits(ops);
        if ((before & ops) != 0) {
            changed(h);
        }
    }

    @Override
    void close(ChannelHandle h) {
        h.setBits(ChannelHandle.CLOSING);
        changed(h);
    }

    /** Queues {@code handle} for the loop to apply its changes, waking the selector only if it is blocked. */
    private void changed(ChannelHandle handle) {
        if ((handle.setBits(ChannelHandle.QUEUED) & ChannelHandle.QUEUED) == 0) {
            changes.offer(handle);
            if ((int) STATE.getVolatile(this) == SELECTING && STATE.compareAndSet(this, SELECTING, WOKEN)) {
                selector.wakeup();
                registry.wakeups.increment();
            }
        }
    }

    @Override
    void wakeLoop() {
        selector.wakeup();
    }

    // ---------------------------------------------------------------- the selector thread

    @Override
    public void run() {
        try {
            while (!stopNow) {
                registry.loops.increment();
                changes.drain(this::apply, CHANGES_PER_ROUND);
                registered = selector.keys().size();
                if (draining && idle()) {
                    break;
                }
                STATE.setVolatile(this, SELECTING);
                if (!changes.isEmpty() || stopNow) {
                    STATE.setVolatile(this, AWAKE);
                    continue;
                }
                select();
                STATE.setVolatile(this, AWAKE);
                sweepNowAndThen();
            }
        } finally {
            markEnded();
            closeAll();
        }
    }

    /** Returns whether no channel is registered; flushes cancelled keys first (they leave at a select). */
    private boolean idle() {
        try {
            selector.selectNow(this::ready);
        } catch (IOException e) {
            registry.errors.increment();
        }
        registered = selector.keys().size();
        return registered == 0 && changes.isEmpty() && !hasHandles();
    }

    private void select() {
        try {
            selector.select(this::ready, waitMillis());
            registered = selector.keys().size();
        } catch (ClosedSelectorException e) {
            stopNow = true;
        } catch (IOException | RuntimeException e) {
            registry.errors.increment();
            LOG.log(Level.WARNING, "select failed; the selector loop carries on", e);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void apply(ChannelHandle h) {
        int w = h.clearBits(ChannelHandle.QUEUED);
        if ((w & ChannelHandle.ENDED) != 0) {
            return;
        }
        if ((w & ChannelHandle.CLOSING) != 0) {
            end(h);
            return;
        }
        try {
            SelectionKey key = h.key;
            if (key == null) {
                key = h.channel().register(selector, 0, h);
                h.key = key;
            }
            key.interestOps(h.armed());
        } catch (ClosedChannelException | CancelledKeyException e) {
            end(h);
        } catch (RuntimeException e) {
            registry.errors.increment();
            LOG.log(Level.WARNING, "cannot apply interest for " + h + "; closing it", e);
            end(h);
        }
    }

    private void ready(SelectionKey key) {
        ChannelHandle h = (ChannelHandle) key.attachment();
        try {
            int fired = key.readyOps() & h.armed();
            int still = h.clearBits(fired) & ChannelHandle.OPS & ~fired;
            key.interestOps(still);
            if (fired != 0) {
                fire(h, fired, 1);
            }
        } catch (CancelledKeyException e) {
            end(h);
        } catch (RuntimeException e) {
            registry.errors.increment();
            LOG.log(Level.WARNING, "bad ready key for " + h + "; closing it", e);
            end(h);
        }
    }

    @Override
    void release(ChannelHandle h) {
        SelectionKey key = h.key;
        if (key != null) {
            key.cancel();
        }
        closeQuietly(h.channel());
    }

    private void closeAll() {
        ChannelHandle h;
        while ((h = changes.poll()) != null) {
            h.clearBits(ChannelHandle.QUEUED);
            end(h);
        }
        endAll();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the selector failed", e);
        }
    }
}
