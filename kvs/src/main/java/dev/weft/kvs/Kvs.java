package dev.weft.kvs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The key-value store: namespaces of hierarchical keys with versioned, atomic transactions,
 * watches, and an optional durable log. Usable from any thread or component.
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
public final class Kvs implements AutoCloseable {
    /** The namespace every store has, created on first open. */
    public static final String PRIMARY = "primary";
    /** The default number of events a watch buffers for a slow watcher. */
    public static final int DEFAULT_WATCH_BUFFER = 1024;

    private final KvsOptions options;
    private final KvsMetrics metrics;
    private final ReentrantLock namespaceLock = new ReentrantLock();
    private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();
    /** The namespaces whose creation is durable; changed only by publish actions (the log's thread). */
    private final Map<String, Namespace> durable = new ConcurrentHashMap<>();
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
            Namespace ns = new Namespace(kvs, e.name(), e.owner(), e.root(), options.retainVersions());
            kvs.namespaces.put(e.name(), ns);
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
        if (!namespaces.containsKey(PRIMARY)) {
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

    /** Returns the {@value #PRIMARY} namespace. */
    public Namespace primary() {
        return namespace(PRIMARY);
    }

    /**
     * Returns the namespace called {@code name}.
     *
     * @throws KvsException if there is none
     */
    public Namespace namespace(String name) {
        Namespace ns = namespaces.get(name);
        if (ns == null) {
            throw new KvsException("no namespace '" + name + "'");
        }
        return ns;
    }

    /** Returns every namespace, sorted by name. */
    public List<NamespaceInfo> namespaces() {
        List<NamespaceInfo> all = new ArrayList<>();
        for (Namespace ns : namespaces.values()) {
            all.add(new NamespaceInfo(ns.name(), ns.owner(), ns.version()));
        }
        all.sort(java.util.Comparator.comparing(NamespaceInfo::name));
        return all;
    }

    /**
     * Creates an empty namespace owned by {@code owner}; returns once the creation is durable.
     *
     * @throws KvsException if it exists already or the name is empty
     */
    public Namespace createNamespace(String name, String owner) throws InterruptedException {
        if (name == null || name.isBlank() || owner == null) {
            throw new KvsException("a namespace needs a non-blank name and an owner");
        }
        Namespace ns;
        CompletableFuture<Long> done;
        namespaceLock.lock();
        try {
            if (namespaces.containsKey(name)) {
                throw new KvsException("namespace '" + name + "' exists already");
            }
            ns = new Namespace(this, name, owner, Root.EMPTY, options.retainVersions());
            done = log.append(new LogRecord.CreateNamespace(name, owner), 0, () -> durable.put(name, ns));
            namespaces.put(name, ns);
        } finally {
            namespaceLock.unlock();
        }
        await(done);
        return ns;
    }

    /**
     * Removes namespace {@code name} and everything in it; its watches end with
     * {@link WatchEvent.Reason#NAMESPACE_REMOVED}. Returns once the removal is durable.
     *
     * @throws KvsException if there is no such namespace
     */
    public void removeNamespace(String name) throws InterruptedException {
        CompletableFuture<Long> done;
        namespaceLock.lock();
        try {
            Namespace ns = namespace(name);
            ns.markRemoved();
            namespaces.remove(name);
            done = log.append(new LogRecord.RemoveNamespace(name), 0, () -> {
                durable.remove(name);
                ns.publishGone(WatchEvent.Reason.NAMESPACE_REMOVED);
            });
        } finally {
            namespaceLock.unlock();
        }
        await(done);
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
        for (Namespace ns : namespaces.values()) {
            ns.publishGone(WatchEvent.Reason.CLOSED);
        }
    }

    /** Cancels the watch with id {@code watchId} in whichever namespace it is; unknown ids are ignored. */
    public void cancelWatch(long watchId) {
        for (Namespace ns : namespaces.values()) {
            Watch w = ns.findWatch(watchId);
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
        for (Namespace ns : durable.values()) {
            image.add(new SnapshotFile.Entry(ns.name(), ns.owner(), ns.head()));
        }
        return image;
    }

    private static void await(CompletableFuture<Long> done) throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw Namespace.unwrap(e.getCause());
        }
    }
}
