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
     * key with the node it saw last (nodes are immutable, so identity means "unchanged"). Every
     * event and end this watch produces (queue, finish) is produced under that publish lock, so
     * there is one producer at a time.
     *
     * Publishing must never wait for a slow watcher. Each watch has a bounded buffer and a virtual
     * thread of its own that moves buffered events to the target with a blocking send (the target's
     * back-pressure lands on that thread only). If the buffer is full when a commit needs it, the
     * watch ends: the commit's event is not queued and an Ended(OVERFLOWED) follows the events
     * already buffered. A gap is therefore always announced, never silent. The final event sits in
     * its own slot, so ending never needs buffer space.
     *
     * Direct delivery. Handing every event to the delivery thread costs an unpark and a context
     * switch per event. So the producer first tries to deliver an event itself: under this watch's
     * lock, if the buffer is empty, no end is set and the delivery thread is not `delivering`, it
     * calls the target's non-blocking tryDeliver; only if that refuses (inbox full, start reply not
     * sent yet, or a target that never delivers directly) or throws does the event go into the
     * buffer. The claim protocol, all under the lock:
     * - the delivery thread sets `delivering` when it takes an event (or the end) from the buffer
     *   and clears it when it comes back for the next, before it waits;
     * - the producer delivers directly only while the buffer is empty and `delivering` is clear,
     *   and holds the lock while it does, so the delivery thread cannot take a later event meanwhile.
     * Hence at any moment at most one thread delivers; an event goes direct only when every earlier
     * event has been delivered (the buffer is empty and nobody is in the middle of one); a refused
     * try leaves no trace (tryDeliver's contract), so the buffered copy is the only one: exact order
     * and exactly once. The Ended is never delivered directly: it always comes from the delivery
     * thread after the buffer, so it is last. The producer's try never blocks (a trySend, plus
     * encoding one frame for a network watch), so holding the lock across it is short.
     *
     * Targets. An inbox in this runtime (Inbox.trySend) and a network watch's frames
     * (WatchFrames.trySend) deliver directly. A listener never does: it is user code that may block
     * or be slow (or commit and wait for its own commit), which must not run on the log's thread
     * under the publish lock; it runs on the delivery thread, one call at a time, as before. Any
     * other sink (a link to another runtime, a user's sink) keeps the delivery thread too: its
     * trySend may do I/O.
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
    private boolean delivering;
    private volatile boolean active = true;

    /** Where events go: an inbox, a network watch's frames, or a listener. */
    interface Target {
        /** Delivers one event; may block (back-pressure). */
        void deliver(WatchEvent event) throws InterruptedException;

        /**
         * Delivers one event now if that needs no wait, on the publishing thread; returns false (or
         * throws) having delivered nothing otherwise, and the event then goes by {@link #deliver}.
         */
        boolean tryDeliver(WatchEvent event);

        /** Returns whether nobody will receive events any more. */
        boolean gone();

        static Target of(Sink<? super WatchEvent> inbox) {
            boolean direct = inbox instanceof Inbox<?> || inbox instanceof WatchFrames;
            return new Target() {
                @Override
                public void deliver(WatchEvent event) throws InterruptedException {
                    inbox.send(event);
                }

                @Override
                public boolean tryDeliver(WatchEvent event) {
                    return direct && inbox.trySend(event);
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
                public boolean tryDeliver(WatchEvent event) {
                    return false;         // user code: on the delivery thread, never the log's
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
            if (events.isEmpty() && !delivering && delivered(event)) {
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

    /** Tries the target's direct delivery (lock held, nobody delivering); a failure means "buffer it". */
    private boolean delivered(WatchEvent event) {
        try {
            return target.tryDeliver(event);
        } catch (RuntimeException e) {   // the delivery thread's blocking send meets it and ends the watch
            return false;
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

    /** Ends the previous delivery and claims the next: the buffer's head, or the end once it is empty. */
    private WatchEvent next() throws InterruptedException {
        lock.lock();
        try {
            delivering = false;
            while (events.isEmpty() && end == null) {
                ready.await();
            }
            delivering = true;
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
