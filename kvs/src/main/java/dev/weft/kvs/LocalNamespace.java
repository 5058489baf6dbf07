package dev.weft.kvs;

import dev.weft.runtime.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One namespace of an in-process store: a tree of keys with a root version that grows by one per
 * commit. Usable from any thread; reads take no lock and never block.
 */
final class LocalNamespace implements Namespace {
    /*
     * Two states, two locks.
     *
     * pending (commitLock): the tree every new transaction applies to, including commits that are
     * not durable yet. Holding commitLock, a commit checks its preconditions against pending,
     * applies its operations, appends its record to the log, and moves pending on. So commits of
     * one namespace are serialised, reach the log in version order, and never wait for I/O under
     * the lock; other namespaces have their own commitLock and proceed in parallel.
     *
     * head (volatile, written under publishLock): the newest durable version. The log runs
     * publish() once a record is durable, in log order, so head only moves forward one version at a
     * time. Readers read head (or the history ring for an older version) without locking; watches,
     * waitVersion and version futures are driven from publish, so nobody sees a commit that a crash
     * could take back.
     *
     * Refusals. A transaction refused against pending (a failed precondition, an invalid operation,
     * a removed namespace) reports state that may not be durable yet: "k is at version 201" while
     * readers still see 199, and a crash could take 201 back. So a refusal is told at once only if
     * readers already see what it reports (the key has the same version at head, or nothing is
     * pending); otherwise it waits for lastAppended, the log's future for the newest record this
     * namespace appended (under commitLock, so it covers everything the refusal saw). The log
     * completes futures in log order after publishing, so by then head shows the refused state. If
     * the log fails first, the refusal fails with the log's failure instead: never a phantom.
     */
    private final Kvs kvs;
    private final String name;
    private final String owner;
    private final ReentrantLock commitLock = new ReentrantLock();
    private Root pending;
    private boolean removed;
    private CompletableFuture<Long> lastAppended = CompletableFuture.completedFuture(0L);
    private final ReentrantLock publishLock = new ReentrantLock();
    private final Condition advanced = publishLock.newCondition();
    private final PriorityQueue<VersionWait> versionWaits = new PriorityQueue<>();
    private final List<LocalWatch> watches = new CopyOnWriteArrayList<>();
    private final AtomicReferenceArray<Root> history;
    private volatile Root head;
    private volatile boolean gone;
    /** Set once the removal is durable: from then on every call refuses, as it does over the network. */
    private volatile boolean dropped;

    private record VersionWait(long version, CompletableFuture<Long> future) implements Comparable<VersionWait> {
        @Override
        public int compareTo(VersionWait o) {
            return Long.compare(version, o.version);
        }
    }

    LocalNamespace(Kvs kvs, String name, String owner, Root initial, int retain) {
        this.kvs = kvs;
        this.name = name;
        this.owner = owner;
        this.history = new AtomicReferenceArray<>(Math.max(1, retain));
        this.pending = initial;
        this.head = initial;
        history.set(slot(initial.version()), initial);
    }

    @Override
    public String name() {
        return name;
    }

    /** Returns the principal that owns this namespace. */
    String owner() {
        return owner;
    }

    /** Returns the store this namespace belongs to. */
    Kvs store() {
        return kvs;
    }

    @Override
    public long version() {
        checkNotDropped();
        return head.version();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public LocalView latest() {
        return latest(Principal.OWNER);
    }

    /** Returns a view of the latest version whose symlinks lead only where {@code principal} may read. */
    LocalView latest(Principal principal) {
        checkNotDropped();
        Root r = head;
        return new LocalView(this, r.version(), r.dir(), principal);
    }

    /**
     * Returns a view of {@code version}, if it is the latest or still retained.
     *
     * @throws VersionNotRetainedException if it is too old or not reached yet
     */
    @Override
    public LocalView at(long version) {
        return at(version, Principal.OWNER);
    }

    /** Like {@link #at(long)}, for {@code principal}. */
    LocalView at(long version, Principal principal) {
        checkNotDropped();
        Root r = head;
        if (version != r.version()) {
            r = history.get(slot(version));
            if (r == null || r.version() != version) {
                throw new VersionNotRetainedException(name, version, head.version());
            }
        }
        return new LocalView(this, r.version(), r.dir(), principal);
    }

    @Override
    public Entry entry(String key) {
        return latest().entry(key);
    }

    @Override
    public Entry readlink(String key) {
        return latest().readlink(key);
    }

    @Override
    public byte[] get(String key) {
        return latest().get(key);
    }

    @Override
    public String getString(String key) {
        return latest().getString(key);
    }

    @Override
    public List<String> list(String dir) {
        return latest().list(dir);
    }

    // ---------------------------------------------------------------- commits

    /**
     * Commits {@code txn} atomically and returns the new root version, once the commit is durable
     * under the store's {@link FsyncMode} and visible to readers.
     *
     * @throws ConflictException if a precondition failed (nothing was committed); told once the
     *     version it names is durable, so {@code actual()} is never above {@link #version()}
     * @throws KvsException if an operation is invalid (nothing was committed) or the store failed
     * @throws InterruptedException if interrupted while waiting for durability; the commit may
     *     still happen
     */
    @Override
    public long commit(Txn txn) throws InterruptedException {
        CompletableFuture<Long> done = commitAsync(txn);
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /**
     * Like {@link #commit}, without waiting: the future completes (on the log's thread, so keep
     * callbacks short) with the new root version once it is durable and visible, or exceptionally
     * with a {@link ConflictException} or {@link KvsException}.
     */
    @Override
    public CompletableFuture<Long> commitAsync(Txn txn) {
        List<Txn.Op> ops = txn.ops();
        List<Txn.Precondition> preconditions = txn.preconditions();
        commitLock.lock();
        try {
            if (removed) {
                return refuse(new NoSuchNamespaceException("namespace '" + name + "' was removed"), false);
            }
            Root base = pending;
            Root durable = head;
            for (Txn.Precondition p : preconditions) {
                String[] path = p.path();
                long actual = Tree.versionAt(base.dir(), path);
                if (actual != p.version()) {
                    boolean readable = actual == Tree.versionAt(durable.dir(), path);
                    return refuse(new ConflictException(name, p.key(), p.version(), actual), readable);
                }
            }
            long v = base.version() + 1;
            Root next;
            try {
                next = new Root(v, Txn.apply(base.dir(), ops, v));
            } catch (KvsException invalid) {
                return refuse(invalid, base == durable);
            }
            CompletableFuture<Long> done = kvs.log().append(new LogRecord.Commit(name, v, ops), v, () -> publish(next));
            pending = next;
            lastAppended = done;
            kvs.metrics().commitStarted();
            return done;
        } catch (KvsException logClosedOrFailed) {
            return CompletableFuture.failedFuture(logClosedOrFailed);
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Fails with {@code refusal} at once if readers already see what it reports, else once everything
     * this namespace has appended is durable, or with the log's failure if that comes first. Called
     * under commitLock.
     */
    private CompletableFuture<Long> refuse(KvsException refusal, boolean readable) {
        if (readable) {
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Long> refused = new CompletableFuture<>();
        lastAppended.whenComplete((v, e) -> refused.completeExceptionally(e == null ? refusal : unwrap(e)));
        return refused;
    }

    // ---------------------------------------------------------------- versions

    /**
     * Blocks the calling thread (or component) until this namespace's durable version is at least
     * {@code version}: a condition the publisher signals, not a poll.
     */
    @Override
    public long waitVersion(long version) throws InterruptedException {
        long now = head.version();
        if (now >= version) {
            return now;
        }
        publishLock.lock();
        try {
            while ((now = head.version()) < version) {
                checkNotGone();
                advanced.await();
            }
            return now;
        } finally {
            publishLock.unlock();
        }
    }

    @Override
    public boolean waitVersion(long version, Duration timeout) throws InterruptedException {
        if (head.version() >= version) {
            return true;
        }
        long left = timeout.toNanos();
        publishLock.lock();
        try {
            while (head.version() < version) {
                checkNotGone();
                if (left <= 0) {
                    return false;
                }
                left = advanced.awaitNanos(left);
            }
            return true;
        } finally {
            publishLock.unlock();
        }
    }

    @Override
    public CompletableFuture<Long> whenVersion(long version) {
        Root r = head;
        if (r.version() >= version) {
            return CompletableFuture.completedFuture(r.version());
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        publishLock.lock();
        try {
            if (gone) {
                future.completeExceptionally(goneException());
            } else if (head.version() >= version) {
                future.complete(head.version());
            } else {
                versionWaits.add(new VersionWait(version, future));
            }
        } finally {
            publishLock.unlock();
        }
        return future;
    }

    /**
     * Like {@link #whenVersion(long)}, but completes after {@code timeout} at the latest, with the
     * durable version then: lower than {@code version} if it was not reached. A timed-out wait leaves
     * nothing behind, so a server that counts waits in flight gets its slot back by itself.
     */
    CompletableFuture<Long> whenVersion(long version, long timeout, TimeUnit unit) {
        CompletableFuture<Long> reached = whenVersion(version);
        if (reached.isDone()) {
            return reached;
        }
        return reached.orTimeout(timeout, unit).handle((v, e) -> {
            if (e == null) {
                return v;
            }
            if (e instanceof TimeoutException) {
                return forget(reached);
            }
            throw unwrap(e);
        });
    }

    /** Drops a version wait that timed out; returns the durable version. */
    private long forget(CompletableFuture<Long> future) {
        publishLock.lock();
        try {
            versionWaits.removeIf(w -> w.future() == future);
            return head.version();
        } finally {
            publishLock.unlock();
        }
    }

    // ---------------------------------------------------------------- watches

    @Override
    public LocalWatch watch(String key, WatchMode mode, Sink<? super WatchEvent> inbox) {
        return start(key, mode, LocalWatch.Target.of(Objects.requireNonNull(inbox, "inbox")));
    }

    @Override
    public LocalWatch watch(String key, WatchMode mode, Consumer<? super WatchEvent> listener) {
        return start(key, mode, LocalWatch.Target.of(Objects.requireNonNull(listener, "listener")));
    }

    private LocalWatch start(String key, WatchMode mode, LocalWatch.Target target) {
        Objects.requireNonNull(mode, "mode");
        LocalWatch w;
        publishLock.lock();
        try {
            checkNotGone();
            w = new LocalWatch(this, key, mode, target, kvs.options().watchBuffer(), head);
            if (w.isActive()) {
                watches.add(w);
                kvs.metrics().watchers(1);
            }
        } finally {
            publishLock.unlock();
        }
        w.startDelivery();
        return w;
    }

    @Override
    public Namespace withTimeout(Duration timeout) {
        return new TimedNamespace(this, timeout);
    }

    LocalWatch findWatch(long id) {
        for (LocalWatch w : watches) {
            if (w.id() == id) {
                return w;
            }
        }
        return null;
    }

    void endWatch(LocalWatch w, WatchEvent.Reason reason) {
        publishLock.lock();
        try {
            w.finish(reason, w.seen());
            if (watches.remove(w)) {
                kvs.metrics().watchers(-1);
            }
        } finally {
            publishLock.unlock();
        }
    }

    // ---------------------------------------------------------------- publishing (log thread)

    private void publish(Root next) {
        List<VersionWait> due = null;
        publishLock.lock();
        try {
            history.set(slot(next.version()), next);
            head = next;
            for (LocalWatch w : watches) {
                if (!w.onCommit(next) && watches.remove(w)) {
                    kvs.metrics().watchers(-1);
                }
            }
            advanced.signalAll();
            while (!versionWaits.isEmpty() && versionWaits.peek().version() <= next.version()) {
                if (due == null) {
                    due = new ArrayList<>(2);
                }
                due.add(versionWaits.poll());
            }
        } finally {
            publishLock.unlock();
        }
        if (due != null) {
            for (VersionWait w : due) {
                w.future().complete(next.version());
            }
        }
    }

    /**
     * Appends this namespace's removal after its last commit and refuses later commits (once the
     * removal is durable); returns the log's future for the removal.
     */
    CompletableFuture<Long> remove(Supplier<CompletableFuture<Long>> appendRemoval) {
        commitLock.lock();
        try {
            lastAppended = appendRemoval.get();
            removed = true;
            return lastAppended;
        } finally {
            commitLock.unlock();
        }
    }

    /** Publishes the removal (or the store's close): ends watches and waiters. */
    void publishGone(WatchEvent.Reason reason) {
        List<VersionWait> due;
        publishLock.lock();
        try {
            gone = true;
            dropped = reason == WatchEvent.Reason.NAMESPACE_REMOVED;
            for (LocalWatch w : watches) {
                w.finish(reason, w.seen());
            }
            kvs.metrics().watchers(-watches.size());
            watches.clear();
            advanced.signalAll();
            due = new ArrayList<>(versionWaits);
            versionWaits.clear();
        } finally {
            publishLock.unlock();
        }
        for (VersionWait w : due) {
            w.future().completeExceptionally(goneException());
        }
    }

    /** The durable tree, for snapshots (taken on the log's thread between publishes). */
    Root head() {
        return head;
    }

    private void checkNotDropped() {
        if (dropped) {
            throw new NoSuchNamespaceException("namespace '" + name + "' was removed");
        }
    }

    private void checkNotGone() {
        if (gone) {
            throw goneException();
        }
    }

    private KvsException goneException() {
        return new NoSuchNamespaceException("namespace '" + name + "' was removed or its store closed");
    }

    private int slot(long version) {
        return (int) Math.floorMod(version, (long) history.length());
    }

    static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof KvsException k) {
            return k;
        }
        if (cause instanceof CancellationException c) {
            return c;
        }
        return new KvsException("commit failed: " + cause, cause);
    }

    @Override
    public String toString() {
        return "LocalNamespace[" + name + " owner=" + owner + " v" + head.version() + "]";
    }
}
