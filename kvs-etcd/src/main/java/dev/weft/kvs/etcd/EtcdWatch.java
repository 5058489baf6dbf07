package dev.weft.kvs.etcd;

import dev.weft.kvs.Keys;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.NoSuchNamespaceException;
import dev.weft.kvs.Watch;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import dev.weft.runtime.Sink;
import dev.weft.runtime.InboxClosedException;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Weft watch on etcd: an etcd watch on the keys of the watched node (and everything beneath it,
 * for a VALUE or DIRECTORY watch) from the revision after the first read, plus one on the
 * namespace's key for its removal, turned into {@link WatchEvent}s on a virtual thread of its own.
 */
final class EtcdWatch implements Watch {
    /*
     * jetcd calls the listeners on its own threads; they only queue what arrives (never block), and
     * count the responses queued: past the buffer the etcd watches are closed and an
     * Ended(OVERFLOWED) is queued after what was buffered. The watch's thread takes the queue in
     * order, turns each revision's events into at most one event (a revision's events always come in
     * one response), and delivers it: a full inbox pushes back on that thread only. cancel() and the
     * store's close queue their end behind the events already due. Only the watch's thread changes
     * its state, so the state needs no lock.
     *
     * The namespace's removal deletes all its keys at one revision r. If the watched keys see deletes
     * at r, a read of the namespace's key at r tells a removal from an unlink. If they have nothing
     * to delete, only the namespace watch sees r: the watch ends there once the watched node is
     * missing (it may still take an earlier unlink that is on its way on the other etcd watch).
     */
    private static final AtomicLong IDS = new AtomicLong();
    private static final Comparator<List<String>> SEGMENTS = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private record Removed(long revision) {
    }

    /** Ends the watch at {@code version}, or at the last revision handled if it is negative. */
    private record End(WatchEvent.Reason reason, long version) {
    }

    private record Deliver(WatchEvent event) {
    }

    private record Failed(Throwable error) {
    }

    private final long id = IDS.incrementAndGet();
    private final EtcdNamespace ns;
    private final String key;
    private final String path;
    private final WatchMode mode;
    private final Consumer<? super WatchEvent> listener;
    private final Sink<? super WatchEvent> inbox;
    private final long startVersion;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final List<io.etcd.jetcd.Watch.Watcher> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean active = true;
    // The watch thread's state.
    private EtcdNode.Kind kind;
    private byte[] putBytes = new byte[0];
    private final TreeMap<String, byte[]> appends = new TreeMap<>();
    private final Map<String, String> appendOrder = new HashMap<>();
    private long last;
    private long removedAt;
    private boolean ended;

    private EtcdWatch(EtcdNamespace ns, String key, WatchMode mode, Object target, long start) {
        this.ns = ns;
        this.key = key;
        this.path = Layout.path(key);
        this.mode = mode;
        if (target instanceof Sink<?>) {
            @SuppressWarnings("unchecked")
            Sink<? super WatchEvent> in = (Sink<? super WatchEvent>) target;
            this.inbox = in;
            this.listener = null;
        } else {
            @SuppressWarnings("unchecked")
            Consumer<? super WatchEvent> l = (Consumer<? super WatchEvent>) target;
            this.listener = l;
            this.inbox = null;
        }
        this.startVersion = start;
        this.last = start;
    }

    /** Reads the watched node, queues the first events, and starts the etcd watches after that read. */
    static EtcdWatch start(EtcdNamespace ns, String key, WatchMode mode, Object target) throws InterruptedException {
        java.util.Objects.requireNonNull(mode, "mode");
        String path = Layout.path(key);
        EtcdNode node;
        long start;
        List<KeyValue> pieces = List.of();
        if (path.isEmpty()) {
            GetResponse r = ns.get(ns.namespaceKey(), null, false, 0);
            if (r.getKvs().isEmpty()) {
                throw new NoSuchNamespaceException("no namespace '" + ns.name() + "'");
            }
            start = r.getHeader().getRevision();
            node = EtcdNode.directory(r.getKvs().get(0).getCreateRevision(), r.getKvs().get(0).getModRevision());
        } else {
            byte[] dir = Layout.dirKey(ns.dataPrefix(), path);
            byte[][] range = Layout.nodeRange(dir);
            GetResponse r = ns.get(Layout.bytes(range[0]), Layout.bytes(range[1]), false, 0);
            start = r.getHeader().getRevision();
            node = EtcdNode.of(dir, r.getKvs());
            if (node.kind() == EtcdNode.Kind.MISSING
                    && ns.get(ns.namespaceKey(), null, false, start).getKvs().isEmpty()) {
                throw new NoSuchNamespaceException("no namespace '" + ns.name() + "'");
            }
            pieces = r.getKvs();
        }
        EtcdWatch w = new EtcdWatch(ns, key, mode, target, start);
        w.kind = node.kind();
        w.load(pieces);
        if (w.initial(node)) {
            w.watchEtcd();
        }
        ns.store().added(w);
        Thread.ofVirtual().name("weft-kvs-etcd-watch-" + w.id).start(w::deliver);
        return w;
    }

    private void load(List<KeyValue> pieces) {
        for (KeyValue kv : pieces) {
            Layout.Located at = Layout.locate(ns.dataPrefix(), kv.getKey().getBytes());
            if (at != null && at.piece() == Layout.Piece.PUT_BYTES) {
                putBytes = kv.getValue().getBytes();
            } else if (at != null && at.piece() == Layout.Piece.APPENDED) {
                addAppend(kv);
            }
        }
    }

    /** Queues the events the first read calls for; returns whether the watch goes on after them. */
    private boolean initial(EtcdNode node) {
        switch (mode) {
            case VALUE -> queue.add(new Deliver(new WatchEvent.Value(id, key, startVersion, node.value())));
            case APPEND -> {
                if (node.kind() == EtcdNode.Kind.VALUE && node.value().length > 0) {
                    queue.add(new Deliver(new WatchEvent.Appended(id, key, startVersion, node.value())));
                } else if (node.kind() == EtcdNode.Kind.DIR || node.kind() == EtcdNode.Kind.LINK) {
                    queue.add(new End(WatchEvent.Reason.REPLACED, startVersion));
                    return false;
                }
            }
            case CREATE -> {
                if (node.kind() != EtcdNode.Kind.MISSING) {
                    queue.add(new Deliver(new WatchEvent.Value(id, key, startVersion, node.value())));
                    queue.add(new End(WatchEvent.Reason.CREATED, startVersion));
                    return false;
                }
            }
            case DIRECTORY -> { }
        }
        return true;
    }

    private void watchEtcd() {
        io.etcd.jetcd.Watch client = ns.store().client().getWatchClient();
        WatchOption.Builder option = WatchOption.builder().withRevision(startVersion + 1);
        // A directory's version moves with every change beneath it, and a put of an existing value
        // rewrites only that value's keys: VALUE watches take the whole subtree, like DIRECTORY ones.
        boolean subtree = mode == WatchMode.DIRECTORY || mode == WatchMode.VALUE;
        byte[][] range;
        if (path.isEmpty()) {
            range = Layout.namespaceRange(ns.dataPrefix());   // only VALUE and DIRECTORY watches get here
        } else {
            byte[] dir = Layout.dirKey(ns.dataPrefix(), path);
            range = subtree ? Layout.subtreeRange(dir) : Layout.nodeRange(dir);
        }
        option.withRange(Layout.bytes(range[1]));
        watchers.add(client.watch(Layout.bytes(range[0]), option.build(),
                io.etcd.jetcd.Watch.listener(this::arrived, this::failed)));
        watchers.add(client.watch(ns.namespaceKey(), WatchOption.builder().withRevision(startVersion + 1)
                .withNoPut(true).build(), io.etcd.jetcd.Watch.listener(
                        r -> r.getEvents().forEach(e -> queue.add(new Removed(e.getKeyValue().getModRevision()))),
                        this::failed)));
    }

    // ---------------------------------------------------------------- jetcd's threads

    private void arrived(WatchResponse response) {
        if (response.getEvents().isEmpty()) {
            return;
        }
        if (buffered.incrementAndGet() > ns.store().options().watchBuffer()) {
            if (overflowed.compareAndSet(false, true)) {
                closeWatchers();
                queue.add(new End(WatchEvent.Reason.OVERFLOWED, -1));
            }
            return;
        }
        queue.add(response);
    }

    private void failed(Throwable error) {
        queue.add(new Failed(error));
    }

    @Override
    public void cancel() {
        if (active) {
            queue.add(new End(WatchEvent.Reason.CANCELLED, -1));
        }
    }

    /** The store closed. */
    void closed() {
        if (active) {
            queue.add(new End(WatchEvent.Reason.CLOSED, -1));
        }
    }

    // ---------------------------------------------------------------- the watch's thread

    private void deliver() {
        try {
            while (!ended) {
                Object item = queue.take();
                switch (item) {
                    case WatchResponse r -> {
                        buffered.decrementAndGet();
                        process(r);
                    }
                    case Removed r -> removed(r.revision());
                    case Deliver d -> emit(d.event());
                    case End e -> end(e.reason(), e.version() < 0 ? last : e.version());
                    case Failed f -> end(f.error() instanceof CompactedException ? WatchEvent.Reason.OVERFLOWED
                            : WatchEvent.Reason.CLOSED, last);
                    default -> throw new IllegalStateException("unexpected " + item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.getLogger(EtcdWatch.class.getName()).log(System.Logger.Level.WARNING, this + " failed", e);
            end(WatchEvent.Reason.CLOSED, last);
        } finally {
            closeWatchers();
            ns.store().removed(this);
        }
    }

    /** Handles one response: its events grouped by revision, in order. */
    private void process(WatchResponse response) throws InterruptedException {
        Map<Long, List<io.etcd.jetcd.watch.WatchEvent>> byRevision = new LinkedHashMap<>();
        for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
            byRevision.computeIfAbsent(e.getKeyValue().getModRevision(), r -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<Long, List<io.etcd.jetcd.watch.WatchEvent>> e : byRevision.entrySet()) {
            if (ended) {
                return;
            }
            revision(e.getKey(), e.getValue());
            last = Math.max(last, e.getKey());
            if (!ended && removedAt > 0 && kind == EtcdNode.Kind.MISSING) {
                end(WatchEvent.Reason.NAMESPACE_REMOVED, removedAt);
            }
        }
    }

    /** What happened to one node at one revision, from its markers' events. */
    private static final class Change {
        EtcdNode.Kind before = EtcdNode.Kind.MISSING;
        EtcdNode.Kind after = EtcdNode.Kind.MISSING;
        boolean afterKnown;
        boolean rewritten;              // a value or symlink marker written again
    }

    private void revision(long rev, List<io.etcd.jetcd.watch.WatchEvent> events) throws InterruptedException {
        boolean deletes = events.stream().anyMatch(e -> e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.DELETE);
        if (deletes && ns.get(ns.namespaceKey(), null, false, rev).getKvs().isEmpty()) {
            end(WatchEvent.Reason.NAMESPACE_REMOVED, rev);
            return;
        }
        if (path.isEmpty() && mode == WatchMode.VALUE) {
            emit(new WatchEvent.Value(id, key, rev, null));   // the root is a directory: any change is one
            return;
        }
        Map<String, Change> changes = new TreeMap<>();
        boolean putBytesWritten = false;
        ByteArrayOutputStream appended = new ByteArrayOutputStream();
        for (io.etcd.jetcd.watch.WatchEvent e : events) {
            KeyValue kv = e.getKeyValue();
            Layout.Located at = Layout.locate(ns.dataPrefix(), kv.getKey().getBytes());
            if (at == null || !(at.path().equals(path) || path.isEmpty() || at.path().startsWith(path + "."))) {
                continue;                       // a sibling whose name sorts into the watched range
            }
            boolean put = e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT;
            boolean created = put && kv.getCreateRevision() == kv.getModRevision();
            switch (at.piece()) {
                case DIR, VALUE, LINK -> {
                    Change c = changes.computeIfAbsent(at.path(), p -> new Change());
                    EtcdNode.Kind k = switch (at.piece()) {
                        case DIR -> EtcdNode.Kind.DIR;
                        case VALUE -> EtcdNode.Kind.VALUE;
                        default -> EtcdNode.Kind.LINK;
                    };
                    if (!created) {
                        c.before = k;
                    }
                    if (put) {
                        c.after = k;
                        c.afterKnown = true;
                        c.rewritten |= k != EtcdNode.Kind.DIR && !created;
                    }
                }
                case PUT_BYTES -> {
                    if (put && !created) {
                        // A put of an existing value rewrites only its bytes: the value changed.
                        Change c = changes.computeIfAbsent(at.path(), p -> new Change());
                        c.before = EtcdNode.Kind.VALUE;
                        c.after = EtcdNode.Kind.VALUE;
                        c.afterKnown = true;
                        c.rewritten = true;
                    }
                    if (at.path().equals(path)) {
                        putBytesWritten |= put;
                        putBytes = put ? kv.getValue().getBytes() : new byte[0];
                    }
                }
                case APPENDED -> {
                    if (at.path().equals(path)) {
                        if (put) {
                            appended.writeBytes(kv.getValue().getBytes());
                            addAppend(kv);
                        } else {
                            String sortKey = appendOrder.remove(kv.getKey().toString(StandardCharsets.ISO_8859_1));
                            if (sortKey != null) {
                                appends.remove(sortKey);
                            }
                        }
                    }
                }
                case OTHER -> { }
            }
        }
        Change own = changes.get(path);
        EtcdNode.Kind before = kind;
        if (own != null) {
            kind = own.afterKnown ? own.after : EtcdNode.Kind.MISSING;
            if (kind != EtcdNode.Kind.VALUE) {
                putBytes = new byte[0];
                appends.clear();
                appendOrder.clear();
            }
        }
        switch (mode) {
            case VALUE -> {
                boolean beneath = kind == EtcdNode.Kind.DIR
                        && changes.keySet().stream().anyMatch(p -> p.startsWith(path + "."));
                if (own != null || beneath) {
                    emit(new WatchEvent.Value(id, key, rev, kind == EtcdNode.Kind.VALUE ? value() : null));
                }
            }
            case APPEND -> {
                if (own == null) {
                    return;
                }
                if (before == EtcdNode.Kind.MISSING && kind == EtcdNode.Kind.VALUE) {
                    emit(new WatchEvent.Appended(id, key, rev, value()));
                } else if (kind != EtcdNode.Kind.VALUE || before != EtcdNode.Kind.VALUE || putBytesWritten) {
                    end(WatchEvent.Reason.REPLACED, rev);
                } else if (appended.size() > 0) {
                    emit(new WatchEvent.Appended(id, key, rev, appended.toByteArray()));
                }
            }
            case CREATE -> {
                if (own != null && kind != EtcdNode.Kind.MISSING) {
                    emit(new WatchEvent.Value(id, key, rev, kind == EtcdNode.Kind.VALUE ? value() : null));
                    end(WatchEvent.Reason.CREATED, rev);
                }
            }
            case DIRECTORY -> directory(rev, changes);
        }
    }

    private void directory(long rev, Map<String, Change> changes) {
        Change own = changes.get(path);
        if (own != null && !path.isEmpty() && own.before != (own.afterKnown ? own.after : EtcdNode.Kind.MISSING)) {
            emit(new WatchEvent.DirChanged(id, key, rev, List.of(path)));
            return;
        }
        List<String> structural = new ArrayList<>();
        List<String> named = new ArrayList<>();
        for (Map.Entry<String, Change> e : changes.entrySet()) {
            String p = e.getKey();
            if (p.equals(path)) {
                continue;
            }
            Change c = e.getValue();
            EtcdNode.Kind after = c.afterKnown ? c.after : EtcdNode.Kind.MISSING;
            if (c.before != after) {
                structural.add(p);
            } else if (after != EtcdNode.Kind.DIR && c.rewritten) {
                named.add(p);
            }
        }
        List<String> all = new ArrayList<>();
        for (String p : structural) {
            if (!beneathAny(p, structural)) {
                all.add(p);
            }
        }
        for (String p : named) {
            if (!beneathAny(p, structural)) {
                all.add(p);
            }
        }
        if (!all.isEmpty()) {
            all.sort(Comparator.comparing(Keys::segments, SEGMENTS));
            emit(new WatchEvent.DirChanged(id, key, rev, List.copyOf(all)));
        }
    }

    private static boolean beneathAny(String p, List<String> tops) {
        for (String t : tops) {
            if (p.startsWith(t + ".")) {
                return true;
            }
        }
        return false;
    }

    /** The namespace's key was deleted at {@code revision}. */
    private void removed(long revision) throws InterruptedException {
        if (ended || (removedAt > 0 && removedAt <= revision)) {
            return;
        }
        removedAt = revision;
        if (mode == WatchMode.DIRECTORY || kind == EtcdNode.Kind.MISSING || path.isEmpty()) {
            byte[][] range = path.isEmpty() ? Layout.namespaceRange(ns.dataPrefix())
                    : Layout.subtreeRange(Layout.dirKey(ns.dataPrefix(), path));
            boolean empty;
            try {
                empty = ns.get(Layout.bytes(range[0]), Layout.bytes(range[1]), true, revision - 1).getKvs().isEmpty();
            } catch (KvsException gone) {
                empty = true;
            }
            if (empty) {
                end(WatchEvent.Reason.NAMESPACE_REMOVED, revision);
            }
        }
    }

    private void addAppend(KeyValue kv) {
        String raw = kv.getKey().toString(StandardCharsets.ISO_8859_1);
        String sortKey = String.format("%020d", kv.getCreateRevision()) + raw;
        appendOrder.put(raw, sortKey);
        appends.put(sortKey, kv.getValue().getBytes());
    }

    private byte[] value() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(putBytes);
        appends.values().forEach(all::writeBytes);
        return all.toByteArray();
    }

    private void emit(WatchEvent event) {
        if (ended) {
            return;
        }
        try {
            if (inbox != null) {
                inbox.send(event);
            } else {
                listener.accept(event);
            }
        } catch (InboxClosedException gone) {
            ended = true;
            active = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = true;
            active = false;
        }
    }

    /** Delivers the final event; nothing comes after it. */
    private void end(WatchEvent.Reason reason, long version) {
        if (ended) {
            return;
        }
        emit(new WatchEvent.Ended(id, key, version, reason));
        ended = true;
        active = false;
        closeWatchers();
    }

    private void closeWatchers() {
        for (io.etcd.jetcd.Watch.Watcher w : watchers) {
            w.close();
        }
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
    public String toString() {
        return "EtcdWatch#" + id + "[" + ns.name() + ":" + key + " " + mode + "]";
    }
}
