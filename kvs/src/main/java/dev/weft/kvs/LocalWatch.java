package dev.weft.kvs;

import dev.weft.runtime.Sink;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A watch on a key of an in-process namespace, delivering {@link WatchEvent}s to an inbox or a
 * listener. Made by {@link LocalNamespace#watch}; {@link #cancel()} ends it with a final
 * {@link WatchEvent.Ended}.
 */
final class LocalWatch implements Watch {
    /*
     * The namespace publishes commits one at a time, under its publish lock, on the thread that made
     * them durable; each watch turns a commit into at most one event by comparing the node at its
     * key with the node it saw last (nodes are immutable, so identity means "unchanged").
     *
     * Publishing must never wait for a slow watcher, so events go into this watch's bounded buffer
     * and a virtual thread of its own sends them on to the target inbox with a blocking send (the
     * inbox's back-pressure lands on that thread only). If the buffer is full when a commit needs
     * it, the watch ends: the commit's event is not queued and an Ended(OVERFLOWED) follows the
     * events already buffered. A gap is therefore always announced, never silent. The final event
     * sits in its own slot, so ending never needs buffer space.
     *
     * The target is an inbox (a full one pushes back on the delivery thread; its owner ending ends
     * the watch) or a listener called on the delivery thread.
     */
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final LocalNamespace namespace;
    private final String key;
    private final String[] path;
    private final WatchMode mode;
    private final Target target;
    private final int capacity;
    private final long startVersion;
    // Confined to the namespace's publish lock.
    private Tree.Found last;
    private long seen;
    // Guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<WatchEvent> events = new ArrayDeque<>();
    private WatchEvent.Ended end;
    private volatile boolean active = true;

    /** Where events go: an inbox or a listener. */
    interface Target {
        /** Delivers one event; may block (back-pressure). */
        void deliver(WatchEvent event) throws InterruptedException;

        /** Returns whether nobody will receive events any more. */
        boolean gone();

        static Target of(Sink<? super WatchEvent> inbox) {
            return new Target() {
                @Override
                public void deliver(WatchEvent event) throws InterruptedException {
                    inbox.send(event);
                }

                @Override
                public boolean gone() {   // a local inbox says so; any other sink refuses the next send
                    return inbox instanceof Inbox<?> local && local.isClosed();
                }
            };
        }

        static Target of(Consumer<? super WatchEvent> listener) {
            return new Target() {
                @Override
                public void deliver(WatchEvent event) {
                    listener.accept(event);
                }

                @Override
                public boolean gone() {
                    return false;
                }
            };
        }
    }

    LocalWatch(LocalNamespace namespace, String key, WatchMode mode, Target target, int capacity, Root at) {
        if (capacity < 1) {
            throw new IllegalArgumentException("watch buffer capacity must be positive: " + capacity);
        }
        this.namespace = namespace;
        this.key = key;
        this.path = Keys.parse(key);
        this.mode = mode;
        this.target = target;
        this.capacity = capacity;
        this.startVersion = at.version();
        this.seen = at.version();
        this.last = Tree.find(at.dir(), path);
        initial(at.version());
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public WatchMode mode() {
        return mode;
    }

    @Override
    public long startVersion() {
        return startVersion;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public void cancel() {
        namespace.endWatch(this, WatchEvent.Reason.CANCELLED);
    }

    // ---------------------------------------------------------------- publishing side (publish lock)

    private void initial(long version) {
        Node node = last.node();
        switch (mode) {
            case VALUE -> queue(new WatchEvent.Value(id, key, version, valueOf(node)));
            case APPEND -> {
                if (node instanceof Node.Val val) {
                    if (val.data().length() > 0) {
                        queue(new WatchEvent.Appended(id, key, version, val.data().toArray()));
                    }
                } else if (node != null) {
                    finish(WatchEvent.Reason.REPLACED, version);
                }
            }
            case CREATE -> {
                if (node != null) {
                    queue(new WatchEvent.Value(id, key, version, valueOf(node)));
                    finish(WatchEvent.Reason.CREATED, version);
                }
            }
            case DIRECTORY -> { }
        }
    }

    /** Reports the commit that made {@code root}; returns false once the watch has ended. */
    boolean onCommit(Root root) {
        long v = root.version();
        if (v <= seen) {
            return active;
        }
        if (target.gone()) {
            finish(WatchEvent.Reason.CANCELLED, seen);
            return false;
        }
        Tree.Found now = Tree.find(root.dir(), path);
        Tree.Found before = last;
        if (now.same(before)) {
            seen = v;
            return true;
        }
        last = now;
        switch (mode) {
            case VALUE -> queue(new WatchEvent.Value(id, key, v, valueOf(now.node())));
            case APPEND -> appended(before, now, v);
            case CREATE -> {
                if (now.node() != null) {
                    queue(new WatchEvent.Value(id, key, v, valueOf(now.node())));
                    finish(WatchEvent.Reason.CREATED, v);
                }
            }
            case DIRECTORY -> {
                List<String> changed = new ArrayList<>(4);
                Tree.diff(Keys.join(path), before.node(), before.floor(), now.node(), now.floor(), changed);
                queue(new WatchEvent.DirChanged(id, key, v, List.copyOf(changed)));
            }
        }
        if (active) {
            seen = v;
        }
        return active;
    }

    private void appended(Tree.Found before, Tree.Found now, long v) {
        if (now.node() instanceof Node.Val after) {
            if (before.node() == null) {
                queue(new WatchEvent.Appended(id, key, v, after.data().toArray()));
                return;
            }
            if (before.node() instanceof Node.Val was && before.lineage() == now.lineage()
                    && after.data().length() >= was.data().length()) {
                if (after.data().length() > was.data().length()) {
                    queue(new WatchEvent.Appended(id, key, v, after.data().suffix(was.data().length())));
                }
                return;
            }
        }
        finish(WatchEvent.Reason.REPLACED, v);
    }

    private void queue(WatchEvent event) {
        lock.lock();
        try {
            if (end != null) {
                return;
            }
            if (events.size() >= capacity) {
                end = new WatchEvent.Ended(id, key, seen, WatchEvent.Reason.OVERFLOWED);
                active = false;
            } else {
                events.add(event);
            }
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the watch after the events already queued; the first end wins. */
    void finish(WatchEvent.Reason reason, long version) {
        lock.lock();
        try {
            if (end == null) {
                end = new WatchEvent.Ended(id, key, version, reason);
                active = false;
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    long seen() {
        return seen;
    }

    private static byte[] valueOf(Node n) {
        return n instanceof Node.Val val ? val.data().toArray() : null;
    }

    // ---------------------------------------------------------------- delivering side (own thread)

    void startDelivery() {
        Thread.ofVirtual().name("weft-kvs-watch-" + id).start(this::deliver);
    }

    private void deliver() {
        try {
            for (;;) {
                WatchEvent event = next();
                target.deliver(event);
                if (event instanceof WatchEvent.Ended) {
                    return;
                }
            }
        } catch (InboxClosedException e) {
            namespace.endWatch(this, WatchEvent.Reason.CANCELLED);
        } catch (RuntimeException listenerFailed) {
            System.getLogger(LocalWatch.class.getName()).log(System.Logger.Level.WARNING,
                    this + ": the listener threw; the watch is cancelled", listenerFailed);
            namespace.endWatch(this, WatchEvent.Reason.CANCELLED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private WatchEvent next() throws InterruptedException {
        lock.lock();
        try {
            while (events.isEmpty() && end == null) {
                ready.await();
            }
            WatchEvent e = events.poll();
            return e != null ? e : end;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "LocalWatch#" + id + "[" + namespace.name() + ":" + key + " " + mode + "]";
    }
}
