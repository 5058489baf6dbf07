package dev.weft.runtime;

import dev.weft.runtime.inspect.BoxRef;
import dev.weft.runtime.inspect.GraphEvent;
import dev.weft.runtime.inspect.GraphListener;
import dev.weft.runtime.inspect.LinkKind;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The graph listeners of one runtime. With none registered (the usual case) telling them costs one
 * volatile read of an empty array and builds no event.
 */
final class GraphEvents {
    /*
     * Events are queued, then delivered by whoever calls deliver() with no lock held. A link change
     * queues its event under the runtime's link lock, so the queue holds link changes in the order
     * they happened; listeners never run under that lock, so one may link or unlink from its
     * callback. One thread delivers at a time (the `delivering` flag): a thread that finds another
     * delivering leaves its events to it, and the deliverer looks at the queue again after dropping
     * the flag, so no event is stranded. A listener that links from its callback thus queues the new
     * event behind the one it is handling, and the same loop delivers it next.
     */
    private static final System.Logger LOG = System.getLogger(GraphEvents.class.getName());
    private static final GraphListener[] NONE = new GraphListener[0];

    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<GraphEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();
    private volatile GraphListener[] listeners = NONE;

    void add(GraphListener listener) {
        lock.lock();
        try {
            GraphListener[] grown = Arrays.copyOf(listeners, listeners.length + 1);
            grown[listeners.length] = listener;
            listeners = grown;
        } finally {
            lock.unlock();
        }
    }

    void remove(GraphListener listener) {
        lock.lock();
        try {
            listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(GraphListener[]::new);
        } finally {
            lock.unlock();
        }
    }

    void spawned(Component c) {
        GraphListener[] ls = listeners;
        if (ls.length != 0) {
            Component p = c.parent();
            pending.add(new GraphEvent.Spawned(c.id(), c.name(), c.getClass().getName(), p == null ? null : p.id()));
            deliver();
        }
    }

    void ended(Terminated news) {
        GraphListener[] ls = listeners;
        if (ls.length != 0) {
            Component c = news.component();
            pending.add(new GraphEvent.Ended(c.id(), c.name(), news.state()));
            deliver();
        }
    }

    /**
     * Queues the news that a link from {@code owner}'s box changed; called under the link lock, and
     * followed by {@link #deliver()} once that is released. {@code toOwner} is null for an unlink or a
     * sink that is not a local inbox.
     */
    void linkChanged(LinkKind kind, Component owner, String fromBox, Component toOwner, String toBox) {
        if (listeners.length != 0) {
            BoxRef to = toOwner == null ? null : new BoxRef(toOwner.id(), toBox);
            pending.add(new GraphEvent.LinkChanged(kind, new BoxRef(owner.id(), fromBox), to));
        }
    }

    /** Delivers the queued events in order, unless another thread is delivering them already. */
    void deliver() {
        while (!pending.isEmpty() && delivering.compareAndSet(false, true)) {
            try {
                for (GraphEvent e = pending.poll(); e != null; e = pending.poll()) {
                    tell(listeners, e);
                }
            } finally {
                delivering.set(false);
            }
        }
    }

    private static void tell(GraphListener[] ls, GraphEvent event) {
        for (GraphListener l : ls) {
            try {
                l.changed(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "graph listener " + l + " threw on " + event, e);
            }
        }
    }
}
