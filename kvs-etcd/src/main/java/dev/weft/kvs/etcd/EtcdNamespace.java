package dev.weft.kvs.etcd;

import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.LinkTarget;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.NoSuchNamespaceException;
import dev.weft.kvs.NotADirectoryException;
import dev.weft.kvs.OutcomeUnknownException;
import dev.weft.kvs.SymlinkLoopException;
import dev.weft.kvs.Txn;
import dev.weft.kvs.VersionNotRetainedException;
import dev.weft.kvs.View;
import dev.weft.kvs.Watch;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import dev.weft.runtime.Sink;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A namespace of an {@link EtcdKvs}: its nodes under a key prefix, its version etcd's revision.
 * Reads are etcd range reads (linearizable for the latest, at a revision for a view); a commit is
 * planned from one read and written as one etcd transaction ({@link CommitPlan}), again if a
 * concurrent commit changed what it read.
 */
final class EtcdNamespace implements Namespace, View.Reads {
    private static final AtomicLong APPENDS = new AtomicLong();
    private static final long CLIENT = ThreadLocalRandom.current().nextLong();

    private final EtcdKvs store;
    private final String name;
    private final Duration timeout;
    private final ByteSequence key;
    private final byte[] dataPrefix;

    EtcdNamespace(EtcdKvs store, String name, Duration timeout) {
        this.store = store;
        this.name = Objects.requireNonNull(name, "name");
        this.timeout = timeout;
        this.key = store.layout().namespaceKey(name);
        this.dataPrefix = store.layout().dataPrefix(name);
    }

    @Override
    public String name() {
        return name;
    }

    ByteSequence namespaceKey() {
        return key;
    }

    byte[] dataPrefix() {
        return dataPrefix;
    }

    EtcdKvs store() {
        return store;
    }

    Duration timeout() {
        return timeout;
    }

    /** The revision now: a linearizable read of the namespace's key, which must exist. */
    @Override
    public long version() throws InterruptedException {
        GetResponse r = get(key, null, false, 0);
        requireExists(r);
        return r.getHeader().getRevision();
    }

    @Override
    public View latest() throws InterruptedException {
        return View.at(name, version(), this);
    }

    @Override
    public View at(long version) {
        return View.at(name, version, this);
    }

    @Override
    public Entry entry(String k) throws InterruptedException {
        return entry(k, 0);
    }

    /** Reads {@code k} at {@code revision} (0: the latest), following symlinks. */
    @Override
    public Entry entry(String k, long revision) throws InterruptedException {
        return read(k, revision, true);
    }

    @Override
    public Entry readlink(String k) throws InterruptedException {
        return readlink(k, 0);
    }

    /** Reads the node at {@code k} at {@code revision} (0: the latest), not following a symlink there. */
    @Override
    public Entry readlink(String k, long revision) throws InterruptedException {
        return read(k, revision, false);
    }

    /** Reads the node at {@code k}, following a symlink there if {@code follow} (then it is never one). */
    private Entry read(String k, long revision, boolean follow) throws InterruptedException {
        Resolved r = resolve(k, revision, follow);
        return new Entry(name, k, r.revision(), r.node().version(), r.node().isDirectory(), r.node().value(),
                r.node().link());
    }

    @Override
    public List<String> list(String dir) throws InterruptedException {
        return list(dir, 0);
    }

    /** Lists {@code dir} at {@code revision} (0: the latest): its node, following symlinks, then the keys beneath it. */
    @Override
    public List<String> list(String dir, long revision) throws InterruptedException {
        Resolved r = resolve(dir, revision, true);
        if (!r.node().isDirectory()) {
            throw new NotADirectoryException("'" + dir + "' is " + (r.node().kind() == EtcdNode.Kind.MISSING ? "missing"
                    : "a value, not a directory") + (r.via() == null ? "" : " (it leads through a symlink to '" + r.via()
                    + "')") + " in namespace '" + name + "' at version " + r.revision());
        }
        byte[] prefix = r.namespace().dataPrefix;
        byte[][] beneath = r.path().isEmpty() ? Layout.namespaceRange(prefix)
                : Layout.childRange(Layout.dirKey(prefix, r.path()));
        GetResponse listed = get(Layout.bytes(beneath[0]), Layout.bytes(beneath[1]), true, r.revision());
        int from = beneath[0].length;
        TreeSet<String> names = new TreeSet<>();
        for (KeyValue kv : listed.getKvs()) {
            byte[] k = kv.getKey().getBytes();
            int end = from;
            while (end < k.length && k[end] != '.' && k[end] != 0) {
                end++;
            }
            names.add(new String(k, from, end - from, StandardCharsets.UTF_8));
        }
        return List.copyOf(names);
    }

    /**
     * What a read found: the node at {@code path} of {@code namespace} (where the symlinks it
     * followed led), read at {@code revision}; {@code via} is the last symlink target followed.
     */
    private record Resolved(EtcdNamespace namespace, String path, EtcdNode node, long revision, String via) {
    }

    /**
     * Reads {@code k} at {@code revision} (0: the latest, linearizable, and every later hop at the
     * revision that read saw), following every symlink on the way and, if {@code followLast}, one at
     * the key. Each step is one read-only etcd transaction: the node's keys, the namespace's key
     * (does it exist?), the symlink key of each directory above the node (a symlink there comes
     * first, nearest the root), and the latest mod revision beneath the node (a directory's version).
     *
     * @throws NoSuchNamespaceException if this namespace does not exist (a symlink into a missing
     *     namespace only dangles)
     * @throws SymlinkLoopException after {@link View#MAX_LINK_HOPS} symlinks
     */
    private Resolved resolve(String k, long revision, boolean followLast) throws InterruptedException {
        EtcdNamespace at = this;
        String path = Layout.path(k);
        long rev = revision;
        List<String> followed = new ArrayList<>(0);
        String via = null;
        for (;;) {
            List<String> above = Layout.ancestors(path);
            List<Op> gets = new ArrayList<>(above.size() + 2);
            gets.add(Op.get(at.key, option(null, rev)));
            byte[] dir = path.isEmpty() ? null : Layout.dirKey(at.dataPrefix, path);
            if (dir != null) {
                byte[][] range = Layout.nodeRange(dir);
                gets.add(Op.get(Layout.bytes(range[0]), option(Layout.bytes(range[1]), rev)));
            }
            for (String a : above) {
                gets.add(Op.get(Layout.bytes(Layout.linkKey(Layout.dirKey(at.dataPrefix, a))), option(null, rev)));
            }
            gets.add(latestBeneath(dir == null ? Layout.namespaceRange(at.dataPrefix) : Layout.childRange(dir), rev));
            TxnResponse read;
            try {
                read = EtcdKvs.await(store.kv().txn().Then(gets.toArray(Op[]::new)).commit(), timeout, false);
            } catch (EtcdKvs.VersionGone gone) {
                throw new VersionNotRetainedException(name, revision, version());
            }
            List<GetResponse> got = read.getGetResponses();
            if (rev == 0) {
                rev = read.getHeader().getRevision();
            }
            if (got.get(0).getKvs().isEmpty()) {
                if (at == this) {
                    throw new NoSuchNamespaceException("no namespace '" + name + "'");
                }
                return new Resolved(at, path, EtcdNode.MISSING, rev, via);
            }
            KeyValue nsKey = got.get(0).getKvs().get(0);
            EtcdNode node = (dir == null ? EtcdNode.directory(nsKey.getCreateRevision(), nsKey.getModRevision())
                    : EtcdNode.of(dir, got.get(1).getKvs())).beneath(latest(got.get(got.size() - 1)));
            String linkAt = null;
            String target = null;
            for (int i = 0; i < above.size(); i++) {
                List<KeyValue> link = got.get(2 + i).getKvs();
                if (!link.isEmpty()) {
                    linkAt = above.get(i);
                    target = link.get(0).getValue().toString(StandardCharsets.UTF_8);
                    break;
                }
            }
            if (linkAt == null && node.kind() == EtcdNode.Kind.LINK && followLast) {
                linkAt = path;
                target = node.link();
            }
            if (linkAt == null) {
                return new Resolved(at, path, node, rev, via);
            }
            followed.add((linkAt.isEmpty() ? "." : linkAt) + " -> " + target);
            if (followed.size() > View.MAX_LINK_HOPS) {
                throw new SymlinkLoopException("reading '" + k + "' in namespace '" + name + "' followed more than "
                        + View.MAX_LINK_HOPS + " symlinks (" + String.join(", ", followed) + "): a loop, or a chain too long");
            }
            via = target;
            LinkTarget t = LinkTarget.parse(target);
            String rest = path.substring(linkAt.length());
            path = Layout.path(t.key()) + rest;
            if (path.startsWith(".")) {
                path = path.substring(1);
            }
            if (t.namespace() != null && !t.namespace().equals(at.name)) {
                at = store.namespace(t.namespace());
            }
        }
    }

    /**
     * The key last modified in {@code range} at {@code revision} (0: the latest), keys only: etcd
     * sorts the range by mod revision and returns the first.
     */
    static Op latestBeneath(byte[][] range, long revision) {
        GetOption.Builder b = GetOption.builder().withRange(Layout.bytes(range[1])).withKeysOnly(true)
                .withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.DESCEND).withLimit(1);
        if (revision != 0) {
            b.withRevision(revision);
        }
        return Op.get(Layout.bytes(range[0]), b.build());
    }

    /** The mod revision {@link #latestBeneath} found, 0 for an empty range. */
    static long latest(GetResponse r) {
        return r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision();
    }

    private static GetOption option(ByteSequence end, long revision) {
        return option(end, revision, false);
    }

    /** A read of {@code k} or of the range to {@code end} (if not null) at {@code revision} (if not 0). */
    private static GetOption option(ByteSequence end, long revision, boolean keysOnly) {
        GetOption.Builder b = GetOption.builder().withKeysOnly(keysOnly);
        if (end != null) {
            b.withRange(end);
        }
        if (revision != 0) {
            b.withRevision(revision);
        }
        return b.build();
    }

    /** Reads key {@code k} (or the range to {@code end}) at {@code revision} (0: the latest, linearizable). */
    GetResponse get(ByteSequence k, ByteSequence end, boolean keysOnly, long revision) throws InterruptedException {
        GetOption o = option(end, revision, keysOnly);
        try {
            return EtcdKvs.await(store.kv().get(k, o), timeout, false);
        } catch (EtcdKvs.VersionGone gone) {
            throw new VersionNotRetainedException(name, revision, version());
        }
    }

    private KeyValue requireExists(GetResponse r) {
        if (r.getKvs().isEmpty()) {
            throw new NoSuchNamespaceException("no namespace '" + name + "'");
        }
        return r.getKvs().get(0);
    }

    // ---------------------------------------------------------------- commits

    @Override
    public long commit(Txn txn) throws InterruptedException {
        CompletableFuture<Long> done = commitAsync(txn);
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            done.cancel(false);
            throw new OutcomeUnknownException("etcd did not confirm the commit within " + timeout
                    + "; it may or may not have been applied");
        } catch (ExecutionException e) {
            throw EtcdKvs.translate(e.getCause(), true);
        }
    }

    /**
     * Reads, plans and writes until the write's compares hold; the future fails with the refusal a
     * plan found, or {@link OutcomeUnknownException} if a write got no answer. Cancelling it stops
     * the retries.
     */
    @Override
    public CompletableFuture<Long> commitAsync(Txn txn) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        attempt(txn, result);
        return result;
    }

    private void attempt(Txn txn, CompletableFuture<Long> result) {
        CommitPlan plan;
        CommitPlan.Write blind;
        List<String> puts;
        Map<String, Long> known;
        try {
            plan = new CommitPlan(name, key, dataPrefix, txn, appendId());
            puts = plan.puts();
            known = puts == null ? null : store.values().markers(name, puts);
            blind = plan.blind(store.owner(name), known);
        } catch (KvsException e) {
            result.completeExceptionally(e);
            return;
        }
        if (blind == null) {
            planned(txn, plan, result);
            return;
        }
        write(blind, result, () -> {
            if (known != null) {
                store.values().forget(name, puts);
            }
            planned(txn, plan, result);
        });
    }

    /** Reads, plans and writes; again from the start if the write's compares fail. */
    private void planned(Txn txn, CommitPlan plan, CompletableFuture<Long> result) {
        if (result.isDone()) {
            return;
        }
        List<Op> reads;
        try {
            reads = plan.reads();
        } catch (KvsException e) {
            result.completeExceptionally(e);
            return;
        }
        store.kv().txn().Then(reads.toArray(Op[]::new)).commit().whenComplete((read, e) -> {
            if (e != null) {
                result.completeExceptionally(EtcdKvs.translate(e, false));
                return;
            }
            CommitPlan.Write write;
            try {
                write = plan.plan(read.getGetResponses());
                store.owner(name, plan.owner());
            } catch (KvsException refused) {
                result.completeExceptionally(refused);
                return;
            }
            // Something it read changed: read and plan again, with a fresh append id.
            write(write, result, () -> planned(txn, new CommitPlan(name, key, dataPrefix, txn, appendId()), result));
        });
    }

    /**
     * Writes; completes {@code result} with the revision (after remembering what the write tells of
     * the values it put), or runs {@code failed} if a compare failed.
     */
    private void write(CommitPlan.Write write, CompletableFuture<Long> result, Runnable failed) {
        store.kv().txn().If(write.compares().toArray(io.etcd.jetcd.op.Cmp[]::new))
                .Then(write.ops().toArray(Op[]::new)).commit()
                .whenComplete((TxnResponse written, Throwable f) -> {
                    if (f != null) {
                        result.completeExceptionally(EtcdKvs.translate(f, true));
                    } else if (written.isSucceeded()) {
                        if (write.markers() != null) {
                            store.values().remember(name, write.markers().apply(written));
                        }
                        result.complete(written.getHeader().getRevision());
                    } else {
                        failed.run();
                    }
                });
    }

    /** A key piece no other append can have: this process's random id and a counter. */
    private static byte[] appendId() {
        return ByteBuffer.allocate(16).putLong(CLIENT).putLong(APPENDS.incrementAndGet()).array();
    }

    // ---------------------------------------------------------------- versions

    /**
     * Waits, bounded by this handle's timeout: a version not reached by then throws
     * {@link OutcomeUnknownException}, as over the network.
     */
    @Override
    public long waitVersion(long version) throws InterruptedException {
        long reached = waitFor(version, timeout);
        if (reached < version) {
            throw new OutcomeUnknownException("etcd did not reach revision " + version + " within " + timeout);
        }
        return reached;
    }

    @Override
    public boolean waitVersion(long version, Duration limit) throws InterruptedException {
        return waitFor(version, limit) >= version;
    }

    private long waitFor(long version, Duration limit) throws InterruptedException {
        CompletableFuture<Long> reached = store.revisions().whenReached(version);
        try {
            return reached.get(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            store.revisions().forget(reached);
            return -1;
        } catch (InterruptedException e) {
            store.revisions().forget(reached);
            throw e;
        } catch (ExecutionException e) {
            throw EtcdKvs.translate(e.getCause(), false);
        }
    }

    @Override
    public CompletableFuture<Long> whenVersion(long version) {
        return store.revisions().whenReached(version);
    }

    // ---------------------------------------------------------------- watches

    @Override
    public Watch watch(String k, WatchMode mode, Consumer<? super WatchEvent> listener) throws InterruptedException {
        return EtcdWatch.start(this, k, mode, Objects.requireNonNull(listener, "listener"));
    }

    /** Delivers to {@code inbox} from the watch's own thread; an inbox whose owner has ended cancels the watch. */
    @Override
    public Watch watch(String k, WatchMode mode, Sink<? super WatchEvent> inbox) throws InterruptedException {
        Objects.requireNonNull(inbox, "inbox");
        return EtcdWatch.start(this, k, mode, inbox);
    }

    @Override
    public Namespace withTimeout(Duration t) {
        if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive: " + t);
        }
        return new EtcdNamespace(store, name, t);
    }

    @Override
    public String toString() {
        return "EtcdNamespace[" + name + "]";
    }
}
