package dev.weft.runtime;

import dev.weft.runtime.inspect.LinkKind;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Changes to links and pass-throughs. They are rare next to sends, so one lock guards them all.
 *
 * <p>Each outbox caches its resolved {@code target}: its own link, or, for an inner outbox passing
 * through, the target of the outer outbox. Every change recomputes the targets it affects, so a send
 * reads one volatile field and never walks a chain of outboxes. Inbox pass-throughs are resolved at
 * send time instead (one volatile read, usually null), so linking never needs to know who links to
 * an inbox and nothing keeps a reference to a sender after it ends. Setting one hands the outer
 * inbox's queue on to the inner inbox (see Inbox); the link lock is taken before an inbox's gate
 * lock, never the other way round.
 */
final class Links {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition LINKED = LOCK.newCondition();

    private Links() {
    }

    static <T> void link(Outbox<T> from, Inbox<? super T> to) {
        if (!to.type().isAssignableFrom(from.type())) {
            throw new IllegalArgumentException("cannot link " + from + " (" + from.type().getName() + ") to " + to
                    + " (" + to.type().getName() + "): the inbox does not take that type");
        }
        LOCK.lock();
        try {
            if (from.forward() != null) {
                throw new IllegalStateException(from + " passes through to " + from.forward() + "; link that one");
            }
            from.setLink(to);
            retarget(from);
            LINKED.signalAll();
            GraphEvents.linkChanged(LinkKind.LINK, from.owner(), from.name(), to.owner(), to.name());
        } finally {
            LOCK.unlock();
        }
    }

    static void unlink(Outbox<?> from) {
        LOCK.lock();
        try {
            from.setLink(null);
            detachFromOuter(from);
            retarget(from);
            GraphEvents.linkChanged(LinkKind.LINK, from.owner(), from.name(), null, null);
        } finally {
            LOCK.unlock();
        }
    }

    static <T> void passThrough(Outbox<T> inner, Outbox<? super T> outer) {
        if (!outer.type().isAssignableFrom(inner.type())) {
            throw new IllegalArgumentException("cannot pass " + inner + " (" + inner.type().getName() + ") through to "
                    + outer + " (" + outer.type().getName() + ")");
        }
        LOCK.lock();
        try {
            for (Outbox<?> at = outer; at != null; at = at.forward()) {
                if (at == inner) {
                    throw new IllegalArgumentException("passing " + inner + " through to " + outer + " makes a cycle");
                }
            }
            inner.setLink(null);
            detachFromOuter(inner);
            inner.setForward(outer);
            passingIn(outer).add(inner);
            retarget(inner);
            LINKED.signalAll();
            GraphEvents.linkChanged(LinkKind.OUTBOX_PASS_THROUGH, inner.owner(), inner.name(), outer.owner(),
                    outer.name());
        } finally {
            LOCK.unlock();
        }
    }

    static <T> void passThrough(Inbox<T> outer, Inbox<? super T> inner) {
        if (!inner.type().isAssignableFrom(outer.type())) {
            throw new IllegalArgumentException("cannot pass " + outer + " (" + outer.type().getName() + ") through to "
                    + inner + " (" + inner.type().getName() + ")");
        }
        Component owner = outer.owner();
        if (owner.state() != ComponentState.CREATED && !owner.isReceiverThread()) {
            throw new IllegalStateException("cannot pass " + outer + " through to " + inner + " from "
                    + Thread.currentThread() + ": set a pass-through before " + owner.name()
                    + " is spawned, or from its own body");
        }
        LOCK.lock();
        try {
            if (inner.resolve() == outer) {
                throw new IllegalArgumentException("passing " + outer + " through to " + inner + " makes a cycle");
            }
            outer.handOffTo(inner);
            GraphEvents.linkChanged(LinkKind.INBOX_PASS_THROUGH, outer.owner(), outer.name(), inner.owner(),
                    inner.name());
        } finally {
            LOCK.unlock();
        }
    }

    /** Runs {@code reader} under the link lock, so it sees every link and pass-through as of one moment. */
    static <R> R read(Supplier<R> reader) {
        LOCK.lock();
        try {
            return reader.get();
        } finally {
            LOCK.unlock();
        }
    }

    /** Forgets every outbox of an ended component, so that no composite keeps it reachable. */
    static void release(Iterable<Outbox<?>> outboxes) {
        LOCK.lock();
        try {
            for (Outbox<?> outbox : outboxes) {
                detachFromOuter(outbox);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Parks a sender under {@link UnlinkedPolicy#WAIT} until its outbox is linked. */
    static <T> Inbox<? super T> awaitTarget(Outbox<T> outbox, long deadline, boolean timed)
            throws InterruptedException {
        Dispatcher.aboutToBlock();
        LOCK.lockInterruptibly();
        try {
            Inbox<? super T> t;
            while ((t = outbox.target()) == null) {
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SendTimeoutException(outbox + " stayed unlinked");
                    }
                    LINKED.awaitNanos(left);
                } else {
                    LINKED.await();
                }
            }
            return t;
        } finally {
            LOCK.unlock();
        }
    }

    private static void detachFromOuter(Outbox<?> inner) {
        Outbox<?> outer = inner.forward();
        if (outer != null) {
            passingIn(outer).remove(inner);
            inner.setForward(null);
        }
    }

    private static Set<Outbox<?>> passingIn(Outbox<?> outer) {
        Set<Outbox<?>> set = outer.passingIn();
        if (set == null) {
            set = Collections.newSetFromMap(new IdentityHashMap<>());
            outer.setPassingIn(set);
        }
        return set;
    }

    /** Recomputes the target of {@code outbox} and of every inner outbox passing through to it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void retarget(Outbox<?> outbox) {
        Inbox<?> resolved = outbox.forward() != null ? outbox.forward().target() : outbox.link();
        ((Outbox) outbox).setTarget(resolved);
        Set<Outbox<?>> inner = outbox.passingIn();
        if (inner != null) {
            for (Outbox<?> in : inner) {
                retarget(in);
            }
        }
    }
}
