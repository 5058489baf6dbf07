package dev.weft.kvs.etcd;

import dev.weft.kvs.KvsException;
import dev.weft.kvs.KvsStore;
import dev.weft.kvs.NamespaceExistsException;
import dev.weft.kvs.NamespaceInfo;
import dev.weft.kvs.NoSuchNamespaceException;
import dev.weft.kvs.OutcomeUnknownException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Weft KVS contract on etcd v3: namespaces are key prefixes, a commit is one etcd transaction,
 * the root version is etcd's revision, watches are etcd watches from a revision. docs/kvs.md, "On
 * etcd", has the whole mapping and what differs from the other backends.
 *
 * <pre>{@code
 * try (KvsStore store = EtcdKvs.connect(EtcdKvsOptions.of("127.0.0.1:2379"))) {
 *     long v = store.primary().commit(new Txn().put("job.state", "running"));   // an etcd revision
 * }
 * }</pre>
 */
public final class EtcdKvs implements KvsStore {
    private final EtcdKvsOptions options;
    private final Client client;
    private final KV kv;
    private final Layout layout;
    private final Revisions revisions;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    /** Each namespace key's value as last read (its owner), for commits that need no read. */
    private final java.util.Map<String, ByteSequence> owners = new ConcurrentHashMap<>();
    private final KnownValues values = new KnownValues();
    private volatile boolean closed;

    private EtcdKvs(EtcdKvsOptions options, Client client) {
        this.options = options;
        this.client = client;
        this.kv = client.getKVClient();
        this.layout = new Layout(options.prefix());
        this.revisions = new Revisions(this);
    }

    /**
     * Connects to the cluster and creates the {@value KvsStore#PRIMARY} namespace if it is missing.
     *
     * @throws IOException if etcd does not answer within the call timeout
     */
    public static EtcdKvs connect(EtcdKvsOptions options) throws IOException {
        Client client = Client.builder().endpoints(options.endpoints()).connectTimeout(options.callTimeout()).build();
        EtcdKvs store = new EtcdKvs(options, client);
        try {
            store.create(PRIMARY, options.owner());
        } catch (NamespaceExistsException fine) {
            // an earlier store made it
        } catch (KvsException e) {
            store.close();
            throw new IOException("cannot reach etcd at " + options.endpoints() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            store.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to etcd");
        }
        return store;
    }

    /** Returns the options this store was opened with. */
    public EtcdKvsOptions options() {
        return options;
    }

    @Override
    public EtcdNamespace namespace(String name) {
        checkOpen();
        return new EtcdNamespace(this, name, options.callTimeout());
    }

    @Override
    public List<NamespaceInfo> namespaces() throws InterruptedException {
        ByteSequence prefix = layout.namespacesPrefix();
        GetResponse r = await(kv.get(prefix, GetOption.builder().isPrefix(true).build()), options.callTimeout(), false);
        List<NamespaceInfo> all = new ArrayList<>();
        for (KeyValue k : r.getKvs()) {
            all.add(new NamespaceInfo(layout.namespaceName(k.getKey()), k.getValue().toString(StandardCharsets.UTF_8),
                    r.getHeader().getRevision()));
        }
        all.sort(java.util.Comparator.comparing(NamespaceInfo::name));
        return all;
    }

    @Override
    public EtcdNamespace createNamespace(String name, String owner) throws InterruptedException {
        if (name == null || name.isBlank() || owner == null) {
            throw new KvsException("a namespace needs a non-blank name and an owner");
        }
        create(name, owner);
        return namespace(name);
    }

    private void create(String name, String owner) throws InterruptedException {
        ByteSequence key = layout.namespaceKey(name);
        TxnResponse r = await(kv.txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, ByteSequence.from(owner, StandardCharsets.UTF_8), PutOption.DEFAULT)).commit(),
                options.callTimeout(), true);
        if (!r.isSucceeded()) {
            throw new NamespaceExistsException("namespace '" + name + "' exists already");
        }
        owners.put(name, ByteSequence.from(owner, StandardCharsets.UTF_8));
    }

    @Override
    public void removeNamespace(String name) throws InterruptedException {
        if (PRIMARY.equals(name)) {
            throw new KvsException("the " + PRIMARY + " namespace always exists and cannot be removed; unlink its keys instead");
        }
        ByteSequence key = layout.namespaceKey(name);
        ByteSequence data = Layout.bytes(layout.dataPrefix(name));
        TxnResponse r = await(kv.txn().If(new Cmp(key, Cmp.Op.GREATER, CmpTarget.createRevision(0)))
                .Then(Op.delete(key, DeleteOption.DEFAULT), Op.delete(data, DeleteOption.builder().isPrefix(true).build()))
                .commit(), options.callTimeout(), true);
        if (!r.isSucceeded()) {
            throw new NoSuchNamespaceException("no namespace '" + name + "'");
        }
    }

    /** Closes the connection to etcd; every watch ends with {@code CLOSED}. */
    @Override
    public void close() {
        closed = true;
        for (EtcdWatch w : watches) {
            w.closed();
        }
        revisions.close();
        client.close();
    }

    // ---------------------------------------------------------------- for the namespaces and watches

    Client client() {
        return client;
    }

    KV kv() {
        return kv;
    }

    Layout layout() {
        return layout;
    }

    Revisions revisions() {
        return revisions;
    }

    ByteSequence owner(String namespace) {
        return owners.get(namespace);
    }

    void owner(String namespace, ByteSequence owner) {
        owners.put(namespace, owner);
    }

    KnownValues values() {
        return values;
    }

    void added(EtcdWatch w) {
        watches.add(w);
        if (closed) {
            w.closed();
        }
    }

    void removed(EtcdWatch w) {
        watches.remove(w);
    }

    void checkOpen() {
        if (closed) {
            throw new KvsException("the store was closed");
        }
    }

    /**
     * Waits at most {@code timeout} for {@code future}. A write ({@code write}) whose answer does not
     * come, or fails for a reason that does not prove it was refused, throws
     * {@link OutcomeUnknownException}.
     */
    static <T> T await(CompletableFuture<T> future, Duration timeout, boolean write) throws InterruptedException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new OutcomeUnknownException("etcd did not answer within " + timeout
                    + (write ? "; the write may or may not have been applied" : ""));
        } catch (ExecutionException e) {
            throw translate(e.getCause(), write);
        }
    }

    /** Turns what jetcd failed with into the contract's exception. */
    static KvsException translate(Throwable cause, boolean write) {
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof KvsException k) {
            return k;
        }
        if (cause instanceof ClosedClientException) {
            return new KvsException("the store was closed", cause);
        }
        if (cause instanceof CompactedException || isFutureRevision(cause)) {
            return new VersionGone(cause);
        }
        ErrorCode code = cause instanceof EtcdException e ? e.getErrorCode() : ErrorCode.UNKNOWN;
        boolean refused = switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, OUT_OF_RANGE,
                    ALREADY_EXISTS, NOT_FOUND, UNIMPLEMENTED -> true;
            default -> false;
        };
        if (write && !refused) {
            return new OutcomeUnknownException("etcd failed to confirm the write (" + cause.getMessage()
                    + "); it may or may not have been applied", cause);
        }
        return new KvsException("etcd: " + cause.getMessage(), cause);
    }

    /** etcd's "mvcc: required revision has been compacted" and "... is a future revision". */
    private static boolean isFutureRevision(Throwable cause) {
        String m = cause.getMessage();
        return m != null && (m.contains("future revision") || m.contains("has been compacted"));
    }

    /** A read at a revision etcd has compacted away or not reached; the namespace turns it into {@link dev.weft.kvs.VersionNotRetainedException}. */
    static final class VersionGone extends KvsException {
        private static final long serialVersionUID = 1L;

        VersionGone(Throwable cause) {
            super(String.valueOf(cause.getMessage()), cause);
        }
    }

    @Override
    public String toString() {
        return "EtcdKvs[" + options.endpoints() + " " + options.prefix() + "]";
    }
}
