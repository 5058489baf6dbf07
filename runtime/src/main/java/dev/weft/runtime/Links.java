package dev.weft.runtime;

import dev.weft.runtime.inspect.LinkKind;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Changes to the links and pass-throughs of one runtime. They are rare next to sends, so one lock
 * per runtime guards them all; runtimes never share it, and a link between two runtimes is refused.
 */
final class Links {
    /*
     * Each outbox caches its resolved `target`: its own link, or, for an inner outbox passing
     * through, the target of the outer outbox. Every change recomputes the targets it affects, so a
     * send reads one volatile field and never walks a chain of outboxes. Inbox pass-throughs are
     * resolved at send time instead (one volatile read, usually null), so linking never needs to know
     * who links to an inbox and nothing keeps a reference to a sender after it ends. Setting one
     * hands the outer inbox's queue on to the inner inbox (see Inbox); the link lock is taken before
     * an inbox's gate lock, never the other way round.
     *
     * Which lock. A change touches the link state of the components it involves: the two ends, and
     * every outbox on the sending end's pass-through chain (retarget() walks down from there). Each
     * spawned component's state is guarded by its runtime's lock; a component not yet spawned (wired
     * in a composite's constructor, or linked before spawn) by the one UNSPAWNED lock. A change takes
     * UNSPAWNED if it involves any unspawned component, then the runtime's lock if it involves a
     * spawned one (always in that order), and, holding them, checks that the components it involves
     * still need exactly these locks; if a spawn or a relink changed that meanwhile, it lets go and
     * starts over. Two components of different runtimes are refused before anything changes.
     *
     * Spawning moves a component from UNSPAWNED to its runtime's lock without taking either: the spawn
     * publishes the runtime (a volatile write), then calls settled(), which waits for UNSPAWNED only if
     * someone holds it. A change that read "unspawned" under UNSPAWNED did so after taking it, so
     * either the spawn sees the lock held and waits for the change to finish, or the change sees the
     * published runtime and retries: the two never both run on one component unordered.
     *
     * Senders waiting for a link (UnlinkedPolicy.WAIT) park on a separate condition. A change writes
     * the new target (volatile) and then reads `waiting`; a waiter counts itself in `waiting` and
     * then reads the target; so one of them sees the other, and a change that sees waiters signals
     * them, after releasing its link locks.
     *
     * Graph listeners are told outside the lock: a change queues its event in GraphEvents while
     * holding the runtime's lock (so events keep the order of the changes) and delivers after
     * releasing it.
     */
    private static final Links UNSPAWNED = new Links(null);
    private static final ReentrantLock WAIT_LOCK = new ReentrantLock();
    private static final Condition LINKED = WAIT_LOCK.newCondition();
    private static final AtomicInteger WAITING = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    private final Weft runtime;

    Links(Weft runtime) {
        this.runtime = runtime;
    }

    static <T> void link(Outbox<T> from, Sink<? super T> to) {
        Inbox<?> local = to instanceof Inbox<?> in ? in : null;
        requireTakes(to.type(), from.type(), from, to);
        Held held = enter(from.owner(), local == null ? null : local.owner(), from);
        try {
            if (from.forward() != null) {
                throw new IllegalStateException(from + " passes through to " + from.forward() + "; link that one");
            }
            from.setLink(to);
            retarget(from);
            held.changed(LinkKind.LINK, from.owner(), from.name(), local);
        } finally {
            held.exit();
        }
    }

    static void unlink(Outbox<?> from) {
        Held held = enter(from.owner(), null, from);
        try {
            from.setLink(null);
            detachFromOuter(from);
            retarget(from);
            held.changed(LinkKind.LINK, from.owner(), from.name(), null);
        } finally {
            held.exit();
        }
    }

    static <T> void passThrough(Outbox<T> inner, Outbox<? super T> outer) {
        requireTakes(outer.type(), inner.type(), inner, outer);
        Held held = enter(inner.owner(), null, inner, outer);
        try {
            for (Outbox<?> at = outer; at != null; at = at.forward()) {
                if (at == inner) {
                    throw new IllegalArgumentException("passing " + inner + " through to " + outer + " makes a cycle");
                }
            }
            detachFromOuter(inner);
            inner.setForward(outer);   // its own link, if any, is gone: link() is null while it passes through
            passingIn(outer).add(inner);
            retarget(inner);
            if (held.events != null && inner.owner().runtime() == held.runtime) {
                held.events.linkChanged(LinkKind.OUTBOX_PASS_THROUGH, inner.owner(), inner.name(), outer.owner(),
                        outer.name());
            }
        } finally {
            held.exit();
        }
    }

    static <T> void passThrough(Inbox<T> outer, Inbox<? super T> inner) {
        requireTakes(inner.type(), outer.type(), outer, inner);
        Component owner = outer.owner();
        if (owner.state() != ComponentState.CREATED && !owner.isReceiverThread()) {
            throw new IllegalStateException("cannot pass " + outer + " through to " + inner + " from "
                    + Thread.currentThread() + ": set a pass-through before " + owner.name()
                    + " is spawned, or from its own body");
        }
        Held held = enter(owner, inner.owner());
        try {
            if (inner.resolve() == outer) {
                throw new IllegalArgumentException("passing " + outer + " through to " + inner + " makes a cycle");
            }
            outer.gate().handOff(outer, inner);
            held.changed(LinkKind.INBOX_PASS_THROUGH, owner, outer.name(), inner);
        } finally {
            held.exit();
        }
    }

    /** Throws unless {@code to}, which takes {@code taken}, takes what {@code from} sends ({@code sent}). */
    private static void requireTakes(Class<?> taken, Class<?> sent, Object from, Object to) {
        if (!taken.isAssignableFrom(sent)) {
            throw new IllegalArgumentException("cannot wire " + from + " (" + sent.getName() + ") to " + to
                    + " (" + taken.getName() + "): " + to + " does not take that type");
        }
    }

    /** Runs {@code reader} under this runtime's link lock, so it sees every link of its components as of one moment. */
    <R> R read(Supplier<R> reader) {
        lock.lock();
        try {
            return reader.get();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every outbox of an ended component, so that no composite keeps it reachable. */
    static void release(Iterable<Outbox<?>> outboxes) {
        for (Outbox<?> outbox : outboxes) {
            Held held = enter(outbox.owner(), null, outbox);
            try {
                detachFromOuter(outbox);
            } finally {
                held.exit();
            }
        }
    }

    /**
     * Called right after a component is bound to {@code runtime} (or, with {@code runtime} null, when
     * a failed spawn unbinds it from {@code from}): waits for any change that may have begun on it
     * under the lock that guarded it before.
     */
    static void settled(Weft from) {
        ReentrantLock before = from == null ? UNSPAWNED.lock : from.links().lock;
        if (before.isLocked()) {
            before.lock();
            before.unlock();
        }
    }

    /** Parks a sender under {@link UnlinkedPolicy#WAIT} until its outbox is linked. */
    static <T> Sink<? super T> awaitTarget(Outbox<T> outbox, long deadline) throws InterruptedException {
        Dispatcher.aboutToBlock();
        WAIT_LOCK.lockInterruptibly();
        WAITING.incrementAndGet();
        try {
            Sink<? super T> t;
            while ((t = outbox.target()) == null) {
                if (!Deadline.await(LINKED, deadline)) {
                    throw new SendTimeoutException(outbox + " stayed unlinked");
                }
            }
            return t;
        } finally {
            WAITING.decrementAndGet();
            WAIT_LOCK.unlock();
        }
    }

    /**
     * Takes the locks guarding {@code a}, {@code b} and the owners on the pass-through chains from
     * {@code chains}; see the class comment.
     */
    private static Held enter(Component a, Component b, Outbox<?>... chains) {
        for (;;) {
            Domain seen = Domain.of(a, b, chains);
            if (seen.unspawned) {
                UNSPAWNED.lock.lock();
            }
            Links spawned = seen.runtime == null ? null : seen.runtime.links();
            if (spawned != null) {
                spawned.lock.lock();
            }
            if (seen.equals(Domain.of(a, b, chains))) {
                return new Held(seen.unspawned, seen.runtime);
            }
            if (spawned != null) {
                spawned.lock.unlock();
            }
            if (seen.unspawned) {
                UNSPAWNED.lock.unlock();
            }
        }
    }

    /** Which locks a change needs: UNSPAWNED's, one runtime's, or both. */
    private record Domain(boolean unspawned, Weft runtime) {
        static Domain of(Component a, Component b, Outbox<?>[] chains) {
            Domain d = new Domain(false, null).with(a).with(b);
            for (Outbox<?> chain : chains) {
                for (Outbox<?> at = chain; at != null; at = at.forward()) {
                    d = d.with(at.owner());
                }
            }
            return d;
        }

        private Domain with(Component c) {
            if (c == null) {
                return this;
            }
            Weft w = c.runtimeNow();
            if (w == null) {
                return unspawned ? this : new Domain(true, runtime);
            }
            if (runtime == null) {
                return new Domain(unspawned, w);
            }
            if (runtime != w) {
                throw new IllegalArgumentException("cannot wire " + c.name() + " to a component of another runtime:"
                        + " links join components of one Weft; send across runtimes through a Sink that is not"
                        + " an inbox (a remote link)");
            }
            return this;
        }
    }

    /** The locks a change holds, and the listeners to tell once it releases them. */
    private static final class Held {
        final boolean unspawned;
        final Weft runtime;
        final GraphEvents events;

        Held(boolean unspawned, Weft runtime) {
            this.unspawned = unspawned;
            this.runtime = runtime;
            this.events = runtime == null ? null : runtime.events();
        }

        /** Queues the news of a changed link from a spawned {@code owner}'s box to {@code to} (null: none, or not an inbox). */
        void changed(LinkKind kind, Component owner, String fromBox, Inbox<?> to) {
            if (events != null && owner.runtime() == runtime) {
                events.linkChanged(kind, owner, fromBox, to == null ? null : to.owner(), to == null ? null : to.name());
            }
        }

        void exit() {
            if (runtime != null) {
                runtime.links().lock.unlock();
            }
            if (unspawned) {
                UNSPAWNED.lock.unlock();
            }
            if (WAITING.get() > 0) {
                WAIT_LOCK.lock();
                try {
                    LINKED.signalAll();
                } finally {
                    WAIT_LOCK.unlock();
                }
            }
            if (events != null) {
                events.deliver();
            }
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
        Sink<?> resolved = outbox.forward() != null ? outbox.forward().target() : outbox.link();
        ((Outbox) outbox).setTarget(resolved);
        Set<Outbox<?>> inner = outbox.passingIn();
        if (inner != null) {
            for (Outbox<?> in : inner) {
                retarget(in);
            }
        }
    }
}
