package dev.weft.runtime.io;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * The selector thread's loop: applies interest changes, blocks in {@code select()}, turns ready keys
 * into {@link Readiness} messages.
 */
final class SelectorLoop implements Runnable {
    /*
     * Interest changes. Only this thread touches SelectionKeys (register, interestOps, cancel), so the
     * JDK's own selector locks are never contended. An owner that changes its handle (arm, disarm,
     * transfer, close) updates the handle's volatile fields, then enqueues the handle in `changes`
     * (an MPSC queue) unless it is queued already (handle.queued, CAS false->true). The loop clears
     * `queued` before it reads the handle's fields, so a change made after that read enqueues again:
     * none is missed, and each handle sits in the queue at most once (the queue is bounded by the
     * number of channels).
     *
     * Wake-ups. `state` is AWAKE while this thread runs, SELECTING from just before select() until it
     * returns, WOKEN once someone has paid for a wake-up of that select. The loop does
     *     state = SELECTING (volatile store); if changes non-empty: state = AWAKE, loop; else select()
     * and an owner does
     *     changes.offer(h) (volatile CAS); if state == SELECTING and CAS(SELECTING -> WOKEN): wakeup()
     * Both sides write then read the other's variable with volatile accesses, so they are totally
     * ordered (Dekker): either the loop's re-check sees the new change, or the owner sees SELECTING
     * and wakes the selector. A wakeup() that lands before select() starts makes it return at once,
     * so no change waits for unrelated I/O. While the loop is AWAKE (busy with ready keys, delivering
     * readiness, applying changes) an owner pays nothing but the enqueue: no wakeup() syscall, which is
     * what makes re-arming after each readiness cheap under load. The CAS to WOKEN makes the first of
     * many concurrent owners pay for one wakeup() per select().
     *
     * Delivery. A fired op is cleared from the handle's armed set and from the key, then merged into
     * the handle's open Readiness or sent as a new one with trySend (this thread never parks on an
     * inbox). A full inbox puts the message on `undelivered`, retried after every select (which then
     * times out after RETRY_MILLIS). An owner that has ended gets its channel closed.
     *
     * Nothing here kills the loop: a cancelled key or closed channel ends that handle (a channel closed
     * behind the service's back leaves the key set at the next select, and its handle at the next sweep:
     * while channels are registered, select() returns at least every SWEEP_MILLIS to look for them), an exception from
     * select() is logged and counted. The loop ends when asked (stopNow), or when asked to drain
     * (stopWhenIdle) and no key is left; then it closes what is left and the selector.
     */
    private static final System.Logger LOG = System.getLogger(SelectorService.class.getName());
    private static final int AWAKE = 0;
    private static final int SELECTING = 1;
    private static final int WOKEN = 2;
    private static final int CHANGES_PER_ROUND = 4096;
    private static final long RETRY_MILLIS = 1;
    private static final long DRAIN_POLL_MILLIS = 50;
    private static final long SWEEP_MILLIS = 1000;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SelectorLoop.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Selector selector;
    private final MessagePassingQueue<ChannelHandle> changes = new MpscUnboundedAtomicArrayQueue<>(256);
    private final ArrayDeque<Readiness> undelivered = new ArrayDeque<>();
    /** Handles registered and not yet ended, by channel; added by the service, removed in end(). */
    final ConcurrentHashMap<SelectableChannel, ChannelHandle> live = new ConcurrentHashMap<>();
    /** Closes each handle when its owner ends. */
    final Owners owners = new Owners();
    /** When the loop next looks for channels closed behind the service's back. */
    private long nextSweep = System.nanoTime();
    private volatile int state;
    private volatile boolean draining;
    private volatile boolean stopNow;
    private volatile boolean ended;
    /** Keys in the selector after the last select (cancelled keys leave at a select); for the gauge. */
    private volatile int registered;

    final LongAdder loops = new LongAdder();
    final LongAdder readiness = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final LongAdder wakeups = new LongAdder();
    final LongAdder errors = new LongAdder();

    SelectorLoop(MeterRegistry meters) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        counter(meters, "weft.selector.loops", "Rounds of the selector loop (one select each)", loops);
        counter(meters, "weft.selector.readiness", "Readiness messages sent to channel owners", readiness);
        counter(meters, "weft.selector.coalesced", "Readiness events merged into a message still in flight",
                coalesced);
        counter(meters, "weft.selector.wakeups", "Selector.wakeup() calls made to apply an interest change",
                wakeups);
        counter(meters, "weft.selector.errors", "Errors the selector loop survived (select failures, bad keys)",
                errors);
        Gauge.builder("weft.selector.wakeups.per.readiness", this, SelectorLoop::wakeupsPerReadiness)
                .description("Selector wake-up syscalls per readiness message").register(meters);
        Gauge.builder("weft.selector.channels", this, SelectorLoop::openChannels)
                .description("Open channels registered with the selector").register(meters);
    }

    private static void counter(MeterRegistry meters, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(meters);
    }

    double wakeupsPerReadiness() {
        long r = readiness.sum();
        return r == 0 ? 0 : (double) wakeups.sum() / r;
    }

    // ---------------------------------------------------------------- any thread

    /** Queues {@code handle} for the loop to apply its changes, waking the selector only if it is blocked. */
    void changed(ChannelHandle handle) {
        if (handle.markQueued()) {
            changes.offer(handle);
            wakeIfSelecting();
        }
    }

    private void wakeIfSelecting() {
        if ((int) STATE.getVolatile(this) == SELECTING && STATE.compareAndSet(this, SELECTING, WOKEN)) {
            selector.wakeup();
            wakeups.increment();
        }
    }

    int registered() {
        return registered;
    }

    /** Counts the registered handles whose channel is open (a channel closed directly leaves at the next sweep). */
    int openChannels() {
        int open = 0;
        for (ChannelHandle h : live.values()) {
            if (h.channel().isOpen()) {
                open++;
            }
        }
        return open;
    }

    boolean isEnded() {
        return ended;
    }

    /** Asks the loop to end once no channel is registered. */
    void stopWhenIdle() {
        draining = true;
        selector.wakeup();
    }

    /** Asks the loop to end now, closing every channel still registered. */
    void stopNow() {
        stopNow = true;
        selector.wakeup();
    }

    // ---------------------------------------------------------------- the selector thread

    @Override
    public void run() {
        try {
            while (!stopNow) {
                loops.increment();
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
                retryUndelivered();
                sweepNowAndThen();
            }
        } finally {
            ended = true;
            closeAll();
        }
    }

    /** Returns whether no channel is registered; flushes cancelled keys first (they leave at a select). */
    private boolean idle() {
        try {
            selector.selectNow(this::ready);
        } catch (IOException e) {
            errors.increment();
        }
        registered = selector.keys().size();
        return registered == 0 && changes.isEmpty();
    }

    private void select() {
        try {
            if (!undelivered.isEmpty()) {
                selector.select(this::ready, RETRY_MILLIS);
            } else if (draining) {
                selector.select(this::ready, DRAIN_POLL_MILLIS);
            } else if (!live.isEmpty()) {
                selector.select(this::ready, SWEEP_MILLIS);
            } else {
                selector.select(this::ready);
            }
            registered = selector.keys().size();
        } catch (ClosedSelectorException e) {
            stopNow = true;
        } catch (IOException | RuntimeException e) {
            errors.increment();
            LOG.log(Level.WARNING, "select failed; the selector loop carries on", e);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void apply(ChannelHandle h) {
        h.clearQueued();
        if (h.ended()) {
            return;
        }
        if (h.closeRequested()) {
            end(h);
            return;
        }
        try {
            SelectionKey key = h.key();
            if (key == null) {
                key = h.channel().register(selector, 0, h);
                h.key(key);
            }
            if (h.takeTransferred()) {
                redeliverInFlight(h);
            }
            key.interestOps(h.armed());
        } catch (ClosedChannelException | CancelledKeyException e) {
            end(h);
        } catch (RuntimeException e) {
            errors.increment();
            LOG.log(Level.WARNING, "cannot apply interest for " + h + "; closing it", e);
            end(h);
        }
    }

    /**
     * Ends the handles whose channel was closed behind the service's back, once per
     * {@value #SWEEP_MILLIS} ms: such a channel's key leaves the selector at the next select, but
     * nothing else tells the service.
     */
    private void sweepNowAndThen() {
        long now = System.nanoTime();
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS);
        for (ChannelHandle h : live.values()) {
            if (!h.channel().isOpen()) {
                end(h);
            }
        }
    }

    /** After a transfer: a message still open at the old owner goes to the new owner instead. */
    private void redeliverInFlight(ChannelHandle h) {
        Readiness last = h.inFlight();
        if (last != null) {
            long word = last.sealIfOpen();
            if (word != 0) {
                send(h, new Readiness(h, Readiness.opsOf(word), Readiness.countOf(word)));
            }
        }
    }

    private void ready(SelectionKey key) {
        ChannelHandle h = (ChannelHandle) key.attachment();
        try {
            int fired = key.readyOps() & h.armed();
            int still = h.disarmFired(fired);
            key.interestOps(still);
            if (fired == 0) {
                return;
            }
            Readiness open = h.inFlight();
            if (open != null && open.merge(fired)) {
                coalesced.increment();
            } else {
                send(h, new Readiness(h, fired, 1));
            }
        } catch (CancelledKeyException e) {
            end(h);
        } catch (RuntimeException e) {
            errors.increment();
            LOG.log(Level.WARNING, "bad ready key for " + h + "; closing it", e);
            end(h);
        }
    }

    private void send(ChannelHandle h, Readiness message) {
        h.inFlight(message);
        if (!deliver(message)) {
            undelivered.add(message);
        }
    }

    /** Returns false if the owner's inbox is full. */
    private boolean deliver(Readiness message) {
        ChannelHandle h = message.handle();
        for (;;) {
            Inbox<? super Readiness> to = h.owner();
            try {
                if (to.trySend(message)) {
                    readiness.increment();
                    return true;
                }
                return false;
            } catch (InboxClosedException ownerEnded) {
                if (h.owner() == to) {
                    end(h);
                    return true;
                }
                // The channel was transferred while we sent to the old owner: send to the new one.
            }
        }
    }

    private void retryUndelivered() {
        for (int n = undelivered.size(); n > 0; n--) {
            Readiness message = undelivered.poll();
            if (!message.handle().ended() && !deliver(message)) {
                undelivered.add(message);
            }
        }
    }

    /** Deregisters and closes the handle's channel. */
    private void end(ChannelHandle h) {
        if (h.ended()) {
            return;
        }
        h.markEnded();
        live.remove(h.channel(), h);
        owners.remove(h.owner().owner(), h);
        SelectionKey key = h.key();
        if (key != null) {
            key.cancel();
        }
        try {
            h.channel().close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + h.channel() + " failed", e);
        }
    }

    private void closeAll() {
        ChannelHandle h;
        while ((h = changes.poll()) != null) {
            h.clearQueued();
            end(h);
        }
        try {
            for (SelectionKey key : selector.keys()) {
                end((ChannelHandle) key.attachment());
            }
        } catch (ClosedSelectorException e) {
            // already closed
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the selector failed", e);
        }
    }
}
