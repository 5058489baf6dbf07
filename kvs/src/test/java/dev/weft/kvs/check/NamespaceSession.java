package dev.weft.kvs.check;

import dev.weft.kvs.ConflictException;
import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.OutcomeUnknownException;
import dev.weft.kvs.Txn;
import dev.weft.kvs.View;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KvTarget.Session} on any backend's {@link Namespace}, reading the outcome of each call
 * from the contract's exception types: a {@link ConflictException} is a refused precondition, any
 * other refusal type proves nothing applied ({@link NotApplied}), and {@link OutcomeUnknownException}
 * or a plain {@link KvsException} (a failed log, a lost connection) leaves the outcome unknown. One
 * adapter for every backend; a target only says where the namespace comes from.
 */
public final class NamespaceSession implements KvTarget.Session {
    /** Where a session's namespace comes from, for each call. */
    public interface Source extends AutoCloseable {
        /** Returns the namespace to call now, waiting for a store that is down to come back. */
        Namespace namespace() throws InterruptedException, NotApplied;

        /** Hears of a call that failed (to drop a lost connection, for one). */
        default void failed(KvsException e) {
        }

        @Override
        default void close() {
        }
    }

    /** Which view a read looks at: the latest, or, to break a store on purpose, another. */
    public interface Reads {
        View view(Namespace ns) throws InterruptedException;
    }

    private final Source source;
    private final Reads reads;

    public NamespaceSession(Source source) {
        this(source, Namespace::latest);
    }

    public NamespaceSession(Source source, Reads reads) {
        this.source = source;
        this.reads = reads;
    }

    /** Reads every key at one version: the view the reads pick. */
    @Override
    public Outcome.Read read(List<String> keys) throws InterruptedException, NotApplied {
        try {
            View view = reads.view(source.namespace());
            List<Outcome.Seen> seen = new ArrayList<>(keys.size());
            for (String key : keys) {
                Entry e = view.entry(key);
                seen.add(new Outcome.Seen(key, e.string(), e.keyVersion()));
            }
            return new Outcome.Read(view.version(), seen);
        } catch (KvsException e) {
            source.failed(e);
            throw e;
        }
    }

    @Override
    public long commit(Call.Write write) throws Exception {
        Namespace ns = source.namespace();
        try {
            return ns.commit(txn(write));
        } catch (ConflictException e) {
            throw new PreconditionFailed(e.key(), e.actual(), Outcome.NONE);
        } catch (OutcomeUnknownException e) {
            source.failed(e);
            throw e;
        } catch (KvsException e) {
            source.failed(e);
            if (e.getClass() == KvsException.class) {
                throw e;                    // a failed log, a lost or refused connection: unknown
            }
            throw new NotApplied("refused: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        source.close();
    }

    /** The Weft transaction for {@code write}. */
    static Txn txn(Call.Write write) {
        Txn txn = new Txn();
        write.requires().forEach(r -> txn.require(r.key(), r.version()));
        write.puts().forEach(p -> txn.put(p.key(), p.value()));
        return txn;
    }
}
