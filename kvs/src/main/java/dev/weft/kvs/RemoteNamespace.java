package dev.weft.kvs;

import dev.weft.runtime.Sink;
import dev.weft.runtime.InboxClosedException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A namespace of a Weft KVS server, reached through a {@link KvsClient}: each call a round trip,
 * bounded by this handle's timeout. Usable from any thread.
 */
final class RemoteNamespace implements Namespace, View.Reads {
    private final KvsClient client;
    private final String name;
    private final Duration timeout;

    RemoteNamespace(KvsClient client, String name, Duration timeout) {
        this.client = client;
        this.name = Objects.requireNonNull(name, "name");
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long version() throws InterruptedException {
        return client.call(id -> new Wire.Out(Wire.VERSION, id).str(name), Wire.R_VERSION, timeout, Wire.In::i64);
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
    public Entry entry(String key) throws InterruptedException {
        return entry(key, KvsRequest.LATEST);
    }

    /** Reads {@code key} at root {@code version} ({@link KvsRequest#LATEST} for the latest). */
    @Override
    public Entry entry(String key, long version) throws InterruptedException {
        return read(Wire.ENTRY, key, version);
    }

    @Override
    public Entry readlink(String key) throws InterruptedException {
        return readlink(key, KvsRequest.LATEST);
    }

    @Override
    public Entry readlink(String key, long version) throws InterruptedException {
        return read(Wire.READLINK, key, version);
    }

    /** One {@code ENTRY} or {@code READLINK} round trip: both are answered by an {@code ENTRY} reply. */
    private Entry read(byte type, String key, long version) throws InterruptedException {
        return client.call(id -> new Wire.Out(type, id).str(name).i64(version).str(key), Wire.R_ENTRY, timeout,
                in -> Wire.entry(in, name, key));
    }

    @Override
    public List<String> list(String dir) throws InterruptedException {
        return list(dir, KvsRequest.LATEST);
    }

    /** Lists directory {@code dir} at root {@code version}. */
    @Override
    public List<String> list(String dir, long version) throws InterruptedException {
        return client.call(id -> new Wire.Out(Wire.LIST, id).str(name).i64(version).str(dir), Wire.R_LISTING, timeout, in -> {
            in.i64();
            return List.copyOf(in.strs());
        });
    }

    @Override
    public long commit(Txn txn) throws InterruptedException {
        return client.call(id -> Wire.commit(id, name, txn), Wire.R_VERSION, timeout, Wire.In::i64);
    }

    @Override
    public CompletableFuture<Long> commitAsync(Txn txn) {
        return client.callAsync(id -> Wire.commit(id, name, txn), Wire.R_VERSION, timeout, Wire.In::i64);
    }

    /**
     * Waits, bounded by this handle's timeout: a version not reached by then throws
     * {@link OutcomeUnknownException} (the server cannot be told from a paused one).
     */
    @Override
    public long waitVersion(long version) throws InterruptedException {
        long reached = waitFor(version, timeout);
        if (reached < 0) {
            throw new OutcomeUnknownException("no answer to a wait for version " + version + " of namespace '" + name
                    + "' within " + timeout + " (the server may be paused, overloaded or gone)");
        }
        if (reached < version) {
            throw new OutcomeUnknownException("namespace '" + name + "' did not reach version " + version + " within "
                    + timeout + " (it is at " + reached + ")");
        }
        return reached;
    }

    /**
     * The server ends the wait by itself at the timeout, and the client forgets it when it gives up,
     * so a wait that times out holds no slot of the connection.
     */
    @Override
    public boolean waitVersion(long version, Duration limit) throws InterruptedException {
        return waitFor(version, limit) >= version;
    }

    /**
     * Waits at most {@code limit} (the server ends the wait then too); returns the version reached,
     * -1 if no answer came in time (the call is forgotten, so its late answer is dropped).
     */
    private long waitFor(long version, Duration limit) throws InterruptedException {
        ClientConnection c = client.connection();
        long id = client.nextId();
        CompletableFuture<Wire.In> reply = c.request(id, new Wire.Out(Wire.WAIT_VERSION_FOR, id).str(name).i64(version)
                .i64(ceilMillis(limit)));
        try {
            return KvsClient.decode(reply.get(limit.toNanos(), TimeUnit.NANOSECONDS), Wire.R_VERSION, Wire.In::i64);
        } catch (TimeoutException e) {
            c.forget(id);
            return -1;
        } catch (InterruptedException e) {
            c.forget(id);
            throw e;
        } catch (ExecutionException e) {
            throw KvsClient.rethrown(e.getCause());
        }
    }

    @Override
    public CompletableFuture<Long> whenVersion(long version) {
        return client.callAsync(id -> new Wire.Out(Wire.WAIT_VERSION, id).str(name).i64(version), Wire.R_VERSION, null,
                Wire.In::i64);
    }

    private static long ceilMillis(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            return timeout.plusNanos(999_999).toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public Watch watch(String key, WatchMode mode, Consumer<? super WatchEvent> listener) throws InterruptedException {
        ClientConnection c = client.connection();
        long id = client.nextId();
        RemoteWatch watch = new RemoteWatch(client, c, id, name, key, mode, listener);
        c.addWatch(watch);
        try {
            // The reader thread records the start version before it completes the reply.
            return client.call(c, id, new Wire.Out(Wire.WATCH, id).str(name).str(key).u8(mode.ordinal()),
                    Wire.R_WATCHING, timeout, in -> watch);
        } catch (KvsException | InterruptedException e) {
            c.removeWatch(id);
            throw e;
        }
    }

    /**
     * Delivers to {@code inbox} on the reader thread: a full inbox holds up this connection's other
     * replies (use a client of its own for a consumer that may fall behind); an inbox whose owner
     * has ended cancels the watch.
     */
    @Override
    public Watch watch(String key, WatchMode mode, Sink<? super WatchEvent> inbox) throws InterruptedException {
        Watch[] self = new Watch[1];
        Watch w = watch(key, mode, event -> {
            try {
                inbox.send(event);
            } catch (InboxClosedException gone) {
                if (self[0] != null) {
                    self[0].cancel();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        self[0] = w;
        return w;
    }

    @Override
    public Namespace withTimeout(Duration t) {
        if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive: " + t);
        }
        return new RemoteNamespace(client, name, t);
    }

    @Override
    public String toString() {
        return "RemoteNamespace[" + name + " at " + client.address() + "]";
    }
}
