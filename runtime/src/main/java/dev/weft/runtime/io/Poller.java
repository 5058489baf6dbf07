package dev.weft.runtime.io;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One selector loop on its own thread (platform, or virtual: {@link Backends#virtualLoops}), behind
 * the {@link SelectorService}: a backend ({@link NioPoller} on {@code java.nio.channels.Selector}, or
 * the epoll poller on JDK 22+) plus
 * what both share: sending readiness to owners, ending handles, finding channels closed behind the
 * service's back.
 */
abstract class Poller implements Runnable {
    /*
     * Sending readiness (fire). A handle has at most one open Readiness in flight: fire merges new ops
     * into it while it is open (Readiness.merge, a CAS that fails once the owner sealed it), else it
     * makes a new message and installs it with a CAS on handle.inFlight from the sealed one it saw. Two
     * threads may fire at once (the loop on an event, an owner whose arm found ops pending, a transfer
     * re-sending an unread message): the loser of the CAS merges into the winner's message, so neither
     * readiness is lost and no second open message exists.
     *
     * A message goes out with trySend: no thread of the service ever parks on an inbox. If the owner's
     * inbox is full, the message waits for space with Inbox.onSpace: the owner's next take re-sends it
     * from the owner's own thread, so a full inbox costs no polling and no wake-up of the loop. The
     * message stays open meanwhile, so readiness that comes in the meantime merges into it. A
     * callback whose message got through on the retry is emptied (Redelivery.cancel): the callback
     * itself stays at the inbox until its next take, and must not keep the handle reachable.
     *
     * Sweep. A channel closed behind the service's back tells nobody (NIO drops its key at the next
     * select; epoll forgets a closed descriptor by itself), so every loop looks through its handles
     * once per SWEEP_MILLIS and ends those whose channel is closed. It never waits longer than that,
     * even with no handles: a registration from another thread makes no system call to wake it (on
     * epoll), and a fresh channel closed before it ever connects makes no event, so a loop that went
     * to sleep idle would otherwise hold such a channel for ever.
     */
    static final long SWEEP_MILLIS = 1000;
    static final long DRAIN_POLL_MILLIS = 50;
    static final System.Logger LOG = System.getLogger(SelectorService.class.getName());

    final Registry registry;
    /** Handles of this loop not yet ended: a draining loop ends when none is left. */
    private final AtomicInteger handles = new AtomicInteger();
    /** The thread the loop runs on, set before it starts; for tests. */
    volatile Thread thread;
    volatile boolean draining;
    volatile boolean stopNow;
    private volatile boolean ended;
    private long nextSweep = System.nanoTime();

    Poller(Registry registry) {
        this.registry = registry;
    }

    /** Returns the backend's name for logs and details ("nio", "epoll"). */
    abstract String backend();

    /**
     * Called once, before the loop starts, if it is to run on a virtual thread: a backend whose wait
     * would block the carrier sets up one that parks the virtual thread instead.
     *
     * @throws java.io.UncheckedIOException if it cannot
     */
    void useVirtualThread() {
    }

    /** Registers the handle's channel (already non-blocking) with this loop. */
    abstract void register(ChannelHandle h) throws IOException;

    /** Registers the handle with this loop and counts it. */
    final void add(ChannelHandle h) throws IOException {
        register(h);
        handles.incrementAndGet();
    }

    /** Returns whether this loop has handles that have not ended. */
    final boolean hasHandles() {
        return handles.get() > 0;
    }

    /** Adds ops to the handle's armed set. */
    abstract void arm(ChannelHandle h, int ops);

    /** Removes ops from the handle's armed set. */
    abstract void disarm(ChannelHandle h, int ops);

    /** Deregisters and closes the handle's channel; idempotent. */
    abstract void close(ChannelHandle h);

    /** Makes a blocked loop look at its stop flags. */
    abstract void wakeLoop();

    /** Called by {@link #end} once the handle is marked ended: the backend lets go of it and closes its channel. */
    abstract void release(ChannelHandle h);

    /** Returns the bytes of native memory this loop holds now (for leak tests; the NIO backend holds none of its own). */
    long nativeBytes() {
        return 0;
    }

    /** Returns how many registration slots are taken now (epoll; 0 for NIO, which keeps none). */
    int slotsInUse() {
        return 0;
    }

    // ---------------------------------------------------------------- any thread

    /** Asks the loop to end once no channel of its own is registered. */
    final void stopWhenIdle() {
        draining = true;
        wakeLoop();
    }

    /** Asks the loop to end now, closing every channel still registered with it. */
    final void stopNow() {
        stopNow = true;
        wakeLoop();
    }

    final boolean isEnded() {
        return ended;
    }

    final void markEnded() {
        ended = true;
    }

    /** Sends {@code ops} to the handle's owner: merged into the open message in flight, or in a new one. */
    final void fire(ChannelHandle h, int ops, long count) {
        for (;;) {
            Readiness open = h.inFlight();
            if (open != null && open.merge(ops, count)) {
                registry.coalesced.increment();
                return;
            }
            Readiness fresh = new Readiness(h, ops, count);
            if (h.casInFlight(open, fresh)) {
                deliver(fresh);
                return;
            }
        }
    }

    /** Puts the message in its owner's inbox now, or once that inbox has room. */
    private void deliver(Readiness message) {
        ChannelHandle h = message.handle();
        for (;;) {
            Inbox<? super Readiness> to = h.ownerInbox();
            try {
                if (to.trySend(message)) {
                    registry.readiness.increment();
                    return;
                }
                Redelivery later = new Redelivery(message);
                to.onSpace(later);
                if (!to.trySend(message)) {
                    return;                     // the owner's next take sends it
                }
                later.cancel();                 // sent: the callback left at the inbox holds nothing now
                registry.readiness.increment();
                return;
            } catch (InboxClosedException ownerEnded) {
                if (h.ownerInbox() == to) {
                    h.close();
                    return;
                }
                // transferred while we sent to the old owner: send to the new one
            }
        }
    }

    /**
     * A readiness message waiting for room in its owner's inbox. It lets go of the message once the
     * message is sent, so a callback that stays at an idle inbox keeps no handle (and no channel)
     * reachable. If the callback runs just as the retry succeeds, the message may arrive twice: a hint.
     */
    private final class Redelivery implements Runnable {
        private volatile Readiness message;

        Redelivery(Readiness message) {
            this.message = message;
        }

        @Override
        public void run() {
            Readiness m = message;
            message = null;
            if (m != null && !m.handle().ended()) {
                deliver(m);
            }
        }

        void cancel() {
            message = null;
        }
    }

    /**
     * Ends the handle: deregistered, its channel closed, forgotten by the service. Returns false if
     * it had ended already.
     */
    final boolean end(ChannelHandle h) {
        int before = h.setBits(ChannelHandle.ENDED);
        if ((before & ChannelHandle.ENDED) != 0) {
            return false;
        }
        registry.live.remove(h.channel(), h);
        registry.owners.remove(h.ownerInbox(), h);
        handles.decrementAndGet();
        release(h);
        return true;
    }

    /** Closes a channel or selector, logging a failure (a close is not worth failing for). */
    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + c + " failed", e);
        }
    }

    // ---------------------------------------------------------------- the loop's thread

    /** Returns the timeout for the next wait in ms: the drain poll period while draining, else the sweep period. */
    final long waitMillis() {
        return draining ? DRAIN_POLL_MILLIS : SWEEP_MILLIS;
    }

    /** Ends this loop's handles whose channel was closed behind the service's back, once per sweep period. */
    final void sweepNowAndThen() {
        long now = System.nanoTime();
        if (now - nextSweep < 0) {
            return;
        }
        nextSweep = now + TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS);
        for (ChannelHandle h : registry.live.values()) {
            if (h.poller == this && !h.channel().isOpen()) {
                end(h);
            }
        }
    }

    /** Ends every handle of this loop (the loop is stopping). */
    final void endAll() {
        for (ChannelHandle h : registry.live.values()) {
            if (h.poller == this) {
                end(h);
            }
        }
    }
}
