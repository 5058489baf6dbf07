package dev.weft.kvs.check;

import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.Namespace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;

/**
 * The in-process store ({@link Kvs}, durable on a directory) as a {@link KvTarget}. A process cannot
 * kill -9 itself, so its fault is the nearest it has: {@link Kvs#close()} under load (commits in
 * flight finish or fail) and {@link Kvs#open} again on the same directory, which recovers from the log.
 * Calls made while it is closed wait for the reopened store.
 */
public final class InProcessTarget implements KvTarget {
    private final KvsOptions options;
    private final NamespaceSession.Reads reads;
    private final Serving<Kvs> kvs = new Serving<>();

    /** A target over a store opened with {@code options} (durable, to survive its restarts). */
    public InProcessTarget(KvsOptions options) throws IOException {
        this(options, Namespace::latest);
    }

    /** A target whose reads look at the view {@code reads} picks: the checker's tests break it on purpose. */
    InProcessTarget(KvsOptions options, NamespaceSession.Reads reads) throws IOException {
        this.options = options;
        this.reads = reads;
        kvs.up(Kvs.open(options));
    }

    @Override
    public Session open(int client) {
        return new NamespaceSession(this::primary, reads);
    }

    private Namespace primary() throws InterruptedException, NotApplied {
        return kvs.await().primary();
    }

    @Override
    public void crash() {
        Kvs store = kvs.down();
        if (store != null) {
            store.close();
        }
    }

    @Override
    public void restart() throws IOException {
        kvs.up(Kvs.open(options.withMeterRegistry(new SimpleMeterRegistry())));
    }

    @Override
    public String fault() {
        return "close and reopen the in-process store under load";
    }

    @Override
    public void close() {
        crash();
    }
}
