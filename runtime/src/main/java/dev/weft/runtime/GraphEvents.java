package dev.weft.runtime;

import dev.weft.runtime.inspect.BoxRef;
import dev.weft.runtime.inspect.GraphEvent;
import dev.weft.runtime.inspect.GraphListener;
import dev.weft.runtime.inspect.LinkKind;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The graph listeners of one runtime. With none registered (the usual case) telling them costs one
 * volatile read of an empty array and builds no event.
 */
final class GraphEvents {
    private static final System.Logger LOG = System.getLogger(GraphEvents.class.getName());
    private static final GraphListener[] NONE = new GraphListener[0];

    private final ReentrantLock lock = new ReentrantLock();
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
            tell(ls, new GraphEvent.Spawned(c.id(), c.name(), c.getClass().getName(), p == null ? null : p.id()));
        }
    }

    void ended(Terminated news) {
        GraphListener[] ls = listeners;
        if (ls.length != 0) {
            Component c = news.component();
            tell(ls, new GraphEvent.Ended(c.id(), c.name(), news.state()));
        }
    }

    /** Tells the listeners of {@code from}'s runtime, if it is spawned, that a link from it changed. */
    static void linkChanged(LinkKind kind, Component owner, String fromBox, Component toOwner, String toBox) {
        Weft w = owner.runtime();
        if (w == null) {
            return;
        }
        GraphListener[] ls = w.events().listeners;
        if (ls.length != 0) {
            BoxRef to = toOwner == null ? null : new BoxRef(toOwner.id(), toBox);
            tell(ls, new GraphEvent.LinkChanged(kind, new BoxRef(owner.id(), fromBox), to));
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
