package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The life shared by {@link Pipeline} and {@link Graphline}: spawn the children, relay signals, end
 * when every child has ended.
 */
abstract class Composite extends Component {
    /*
     * The composite's control inbox cannot pass through like its other inboxes: the children's
     * Terminated arrive on it (they are spawned as our children), so the composite reads it and
     * relays. Shutdown goes to every child (stop everything now). Any other signal
     * (ProducerFinished, or an application's own) goes to the inboxes the wiring named for it,
     * usually the first child's control, and then flows through the chain's signal links.
     *
     * A child that fails makes the composite shut the others down and fail with that cause once
     * they have ended, so whoever supervises the composite sees one failure for the whole.
     *
     * Shutdown goes to the children in the order given, so in a chain every child has its Shutdown
     * queued before the child downstream of it can obey its own and close its inbox. A child blocked
     * in a send to that inbox then gets InboxClosedException: once the composite is stopping, such
     * an end is part of the shutdown, not a failure (InputLoop children even end cleanly, as they
     * find their Shutdown waiting).
     */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private final List<Component> children;
    private final List<Inbox<? super Signal>> signalTargets = new ArrayList<>();

    /** Names the composite {@code name}, or {@code kind#n} when no name is given. */
    Composite(String name, String kind, List<Component> children) {
        super(name != null ? name : kind + "#" + IDS.incrementAndGet());
        this.children = List.copyOf(children);
        Set<Component> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Component child : this.children) {
            if (!seen.add(child)) {
                throw new IllegalArgumentException(child.name() + " appears twice in " + name());
            }
            if (child.state() != dev.weft.runtime.ComponentState.CREATED) {
                throw new IllegalArgumentException(child.name() + " is already spawned; a composite spawns its children");
            }
        }
    }

    /** Relays the signals that arrive on this composite's control (Shutdown excepted) to {@code target}. */
    final void relaySignalsTo(Inbox<? super Signal> target) {
        signalTargets.add(target);
    }

    /** Returns the children, in the order given. */
    public final List<Component> children() {
        return children;
    }

    @Override
    protected final boolean shutsDownItsChildren() {
        return true;
    }

    @Override
    protected final void run() throws Exception {
        Set<Component> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(children);
        Throwable failure = null;
        Component failed = null;
        boolean stopping = false;
        try {
            for (Component child : children) {
                spawn(child);
            }
            while (!live.isEmpty()) {
                Signal s = control.receive();
                if (s instanceof Terminated t) {
                    if (live.remove(t.component()) && t.failed() && failure == null
                            && !(stopping && t.cause() instanceof InboxClosedException)) {
                        failure = t.cause();
                        failed = t.component();
                        shutDown(live);
                    }
                } else if (s instanceof Shutdown) {
                    stopping = true;
                    shutDown(live);
                } else {
                    relay(s);
                }
            }
        } finally {
            live.forEach(Component::stop);
        }
        if (failure != null) {
            throw new ChildFailedException(name() + " ended because " + failed.name() + " failed: " + failure, failure);
        }
    }

    /** Sends Shutdown to the children still running, in the order given (upstream first in a chain). */
    private void shutDown(Set<Component> live) {
        for (Component child : children) {
            if (live.contains(child)) {
                child.shutdown();
            }
        }
    }

    private void relay(Signal s) throws InterruptedException {
        for (Inbox<? super Signal> target : signalTargets) {
            try {
                target.send(s);
            } catch (InboxClosedException ended) {
                // That child has ended already; it needs no more news.
            }
        }
    }
}
