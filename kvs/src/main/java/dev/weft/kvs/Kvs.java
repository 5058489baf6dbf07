package dev.weft.kvs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process store: namespaces of hierarchical keys with versioned, atomic transactions,
 * watches, and an optional durable log. Usable from any thread or component; reads never block.
 *
 * <pre>{@code
 * try (Kvs kvs = Kvs.open(KvsOptions.durable(Path.of("data")))) {
 *     Namespace ns = kvs.primary();
 *     long v = ns.commit(new Txn().put("config.mode", "fast").append("log.events", "started\n"));
 *     System.out.println(ns.at(v).getString("config.mode"));
 * }
 * }</pre>
 *
 * <p>In a Weft runtime, find the shared instance through the registry with
 * {@link KvsService#lookupOrStart}.
 */
public final class Kvs implements KvsStore {
    /*
     * Namespaces in two maps, like a namespace's pending and head.
     *
     * pending (namespaceLock): the namespaces as they will be once everything appended is durable.
     * Creations and removals decide against it and append their record to the log under the lock,
     * so they reach the log in the order they were decided. lastChange is the log's future for the
     * newest such record.
     *
     * durable (a concurrent map, changed only by publish actions on the log's thread, in log order):
     * what namespace() and namespaces() show. A namespace appears once its creation is durable and
     * disappears once its removal (and so every commit before it) is durable. A refusal decided
     * against pending ("exists already", "no namespace") waits for lastChange before it is told, so
     * it never reports a change nobody can see yet.
     */
    /** The default number of events a watch buffers for a slow watcher. */
    public static final int DEFAULT_WATCH_BUFFER = 1024;

    private final KvsOptions options;
    private final KvsMetrics metrics;
    private final ReentrantLock namespaceLock = new ReentrantLock();
    // Guarded by namespaceLock.
    private final Map<String, LocalNamespace> pending = new HashMap<>();
    private CompletableFuture<Long> lastChange = CompletableFuture.completedFuture(0L);
    private final Map<String, LocalNamespace> durable = new ConcurrentHashMap<>();
    private final RecoveryReport recovery;
    private CommitLog log;
    private Wal wal;

    private Kvs(KvsOptions options, RecoveryReport recovery) {
        this.options = options;
        this.metrics = new KvsMetrics(options.meterRegistry());
        this.recovery = recovery;
    }

    /**
     * Opens a store. A durable store first recovers from its directory (see {@link #recovery()}),
     * creating the directory if needed.
     */
    public static Kvs open(KvsOptions options) throws IOException {
        if (options.directory() == null) {
            Kvs kvs = new Kvs(options, RecoveryReport.fresh());
            kvs.log = new CommitLog.InMemory();
            kvs.createPrimary();
            return kvs;
        }
        Recovery.Result recovered = Recovery.run(options.directory());
        Kvs kvs = new Kvs(options, recovered.report());
        for (SnapshotFile.Entry e : recovered.namespaces().values()) {
            LocalNamespace ns = new LocalNamespace(kvs, e.name(), e.owner(), e.root(), options.retainVersions());
            kvs.pending.put(e.name(), ns);
            kvs.durable.put(e.name(), ns);
        }
        kvs.wal = new Wal(options.directory(), options.fsync(), recovered.report().lastLsn(),
                options.snapshotBytes(), kvs::durableImage, kvs.metrics);
        kvs.log = kvs.wal;
        kvs.createPrimary();
        return kvs;
    }

    /** Opens a store that keeps nothing on disk. */
    public static Kvs inMemory() {
        try {
            return open(KvsOptions.inMemory());
        } catch (IOException e) {
            throw new AssertionError("an in-memory store does no I/O", e);
        }
    }

    private void createPrimary() throws IOException {
        if (!durable.containsKey(PRIMARY)) {
            try {
                createNamespace(PRIMARY, options.owner());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while creating the primary namespace", e);
            }
        }
    }

    /** Returns what recovery found when this store opened (empty for a new or in-memory store). */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** Returns the options this store was opened with. */
    public KvsOptions options() {
        return options;
    }

    /**
     * Returns the namespace called {@code name}.
     *
     * @throws NoSuchNamespaceException if there is none
     */
    @Override
    public Namespace namespace(String name) {
        return local(name);
    }

    LocalNamespace local(String name) {
        LocalNamespace ns = durable.get(name);
        if (ns == null) {
            throw new NoSuchNamespaceException("no namespace '" + name + "'");
        }
        return ns;
    }

    @Override
    public List<NamespaceInfo> namespaces() {
        List<NamespaceInfo> all = new ArrayList<>();
        for (LocalNamespace ns : durable.values()) {
            all.add(new NamespaceInfo(ns.name(), ns.owner(), ns.head().version()));
        }
        all.sort(java.util.Comparator.comparing(NamespaceInfo::name));
        return all;
    }

    /**
     * Creates an empty namespace owned by {@code owner}; returns once the creation is durable, which
     * is also when others see it.
     *
     * @throws NamespaceExistsException if it exists already (told once its creation is durable)
     * @throws KvsException if the name is blank
     */
    @Override
    public Namespace createNamespace(String name, String owner) throws InterruptedException {
        if (name == null || name.isBlank() || owner == null) {
            throw new KvsException("a namespace needs a non-blank name and an owner");
        }
        LocalNamespace ns;
        CompletableFuture<Long> done;
        namespaceLock.lock();
        try {
            if (pending.containsKey(name)) {
                done = lastChange;
                ns = null;
            } else {
                LocalNamespace created = new LocalNamespace(this, name, owner, Root.EMPTY, options.retainVersions());
                done = log.append(new LogRecord.CreateNamespace(name, owner), 0, () -> durable.put(name, created));
                pending.put(name, created);
                lastChange = done;
                ns = created;
            }
        } finally {
            namespaceLock.unlock();
        }
        await(done);
        if (ns == null) {
            throw new NamespaceExistsException("namespace '" + name + "' exists already");
        }
        return ns;
    }

    /**
     * Removes namespace {@code name} and everything in it; its watches end with
     * {@link WatchEvent.Reason#NAMESPACE_REMOVED}. Returns once the removal is durable: until then
     * the namespace is still listed and readable, and commits made after the removal are refused once
     * it is durable.
     *
     * @throws NoSuchNamespaceException if there is no such namespace
     * @throws KvsException for the {@value #PRIMARY} namespace
     */
    @Override
    public void removeNamespace(String name) throws InterruptedException {
        if (PRIMARY.equals(name)) {
            throw new KvsException("the " + PRIMARY + " namespace always exists and cannot be removed;"
                    + " unlink its keys instead");
        }
        CompletableFuture<Long> done;
        LocalNamespace ns;
        namespaceLock.lock();
        try {
            ns = pending.get(name);
            if (ns == null) {
                done = lastChange;
            } else {
                done = ns.remove(() -> log.append(new LogRecord.RemoveNamespace(name), 0, () -> {
                    durable.remove(name, ns);
                    ns.publishGone(WatchEvent.Reason.NAMESPACE_REMOVED);
                }));
                pending.remove(name);
                lastChange = done;
            }
        } finally {
            namespaceLock.unlock();
        }
        await(done);
        if (ns == null) {
            throw new NoSuchNamespaceException("no namespace '" + name + "'");
        }
    }

    /**
     * Writes a snapshot of every namespace after the commits made so far and deletes the log
     * segments it covers. Snapshots also happen by themselves every
     * {@link KvsOptions#snapshotBytes()} of log. A store in memory has nothing to write.
     */
    public CompletableFuture<Void> snapshot() {
        return wal == null ? CompletableFuture.completedFuture(null) : wal.snapshot();
    }

    /**
     * Closes the store: commits already accepted are written and published, later ones fail, and
     * every watch ends with {@link WatchEvent.Reason#CLOSED}.
     */
    @Override
    public void close() {
        log.close();
        for (LocalNamespace ns : durable.values()) {
            ns.publishGone(WatchEvent.Reason.CLOSED);
        }
    }

    /** Cancels the watch with id {@code watchId} in whichever namespace it is; unknown ids are ignored. */
    void cancelWatch(long watchId) {
        for (LocalNamespace ns : durable.values()) {
            LocalWatch w = ns.findWatch(watchId);
            if (w != null) {
                w.cancel();
                return;
            }
        }
    }

    CommitLog log() {
        return log;
    }

    KvsMetrics metrics() {
        return metrics;
    }

    private List<SnapshotFile.Entry> durableImage() {
        List<SnapshotFile.Entry> image = new ArrayList<>(durable.size());
        for (LocalNamespace ns : durable.values()) {
            image.add(new SnapshotFile.Entry(ns.name(), ns.owner(), ns.head()));
        }
        return image;
    }

    private static void await(CompletableFuture<Long> done) throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw LocalNamespace.unwrap(e.getCause());
        }
    }
}
