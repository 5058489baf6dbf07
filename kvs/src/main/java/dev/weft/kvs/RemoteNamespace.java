package dev.weft.kvs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One namespace of a remote store, reached through a {@link KvsClient}: the operations of
 * {@link Namespace}, each a round trip. Usable from any thread.
 */
public final class RemoteNamespace {
    /**
     * A key as read at a root version.
     *
     * @param version the root version the read saw
     * @param keyVersion the key's own version, for {@link Txn#require} ({@link Txn#ABSENT} if missing)
     * @param value the value, or null if the key is missing
     */
    public record Entry(long version, long keyVersion, byte[] value) {
        /** Returns the value decoded as UTF-8, or null if the key is missing. */
        public String string() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    private final KvsClient client;
    private final String name;

    RemoteNamespace(KvsClient client, String name) {
        this.client = client;
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Returns the namespace's name. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- reads

    /** Reads {@code key} at the latest version; null if missing. */
    public byte[] get(String key) throws InterruptedException {
        return entry(key).value();
    }

    /** Reads {@code key} as UTF-8 at the latest version; null if missing. */
    public String getString(String key) throws InterruptedException {
        return entry(key).string();
    }

    /** Reads {@code key} with its version at the latest root version. */
    public Entry entry(String key) throws InterruptedException {
        return entry(key, KvsRequest.LATEST);
    }

    /**
     * Reads {@code key} at root {@code version} ({@link KvsRequest#LATEST} for the latest).
     *
     * @throws KvsException if the version is not retained, or the key is a directory
     */
    public Entry entry(String key, long version) throws InterruptedException {
        long id = client.nextId();
        return client.call(id, new Wire.Out(Wire.GET, id).str(name).i64(version).str(key), Wire.R_VALUE,
                in -> new Entry(in.i64(), in.i64(), in.bytes()));
    }

    /** Lists directory {@code dir} at the latest version. */
    public List<String> list(String dir) throws InterruptedException {
        return list(dir, KvsRequest.LATEST);
    }

    /** Lists directory {@code dir} at root {@code version}. */
    public List<String> list(String dir, long version) throws InterruptedException {
        long id = client.nextId();
        return client.call(id, new Wire.Out(Wire.LIST, id).str(name).i64(version).str(dir), Wire.R_LISTING, in -> {
            in.i64();
            return List.copyOf(in.strs());
        });
    }

    /** Returns the latest durable root version. */
    public long version() throws InterruptedException {
        long id = client.nextId();
        return client.call(id, new Wire.Out(Wire.VERSION, id).str(name), Wire.R_VERSION, Wire.In::i64);
    }

    // ---------------------------------------------------------------- commits

    /**
     * Commits {@code txn} atomically and returns the new root version once the server has made it
     * durable.
     *
     * @throws ConflictException if a precondition failed (nothing was committed)
     */
    public long commit(Txn txn) throws InterruptedException {
        return KvsClient.await(commitAsync(txn));
    }

    /** Like {@link #commit} without waiting; the future completes on the client's reader thread. */
    public CompletableFuture<Long> commitAsync(Txn txn) {
        long id = client.nextId();
        return client.callAsync(id, Wire.commit(id, name, txn), Wire.R_VERSION, Wire.In::i64);
    }

    /** Commits a put of {@code value} at {@code key}. */
    public long put(String key, String value) throws InterruptedException {
        return commit(new Txn().put(key, value));
    }

    /** Commits an append of {@code text} to {@code key}. */
    public long append(String key, String text) throws InterruptedException {
        return commit(new Txn().append(key, text));
    }

    /** Commits the removal of {@code key} and everything beneath it. */
    public long unlink(String key) throws InterruptedException {
        return commit(new Txn().unlink(key));
    }

    /** Commits an empty directory at {@code key}. */
    public long mkdir(String key) throws InterruptedException {
        return commit(new Txn().mkdir(key));
    }

    // ---------------------------------------------------------------- versions

    /** Blocks until the namespace reaches {@code version}; returns the version the server had then. */
    public long waitVersion(long version) throws InterruptedException {
        return KvsClient.await(whenVersion(version));
    }

    /**
     * Like {@link #waitVersion(long)} for at most {@code timeout}; returns whether it was reached. The
     * server ends the wait by itself at the timeout, and the client forgets it when it gives up, so a
     * wait that times out holds no slot of the connection.
     */
    public boolean waitVersion(long version, Duration timeout) throws InterruptedException {
        long id = client.nextId();
        CompletableFuture<Long> reached = client.callAsync(id, new Wire.Out(Wire.WAIT_VERSION_FOR, id).str(name)
                .i64(version).i64(ceilMillis(timeout)), Wire.R_VERSION, Wire.In::i64);
        try {
            return reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS) >= version;
        } catch (TimeoutException e) {
            client.forget(id);
            return false;
        } catch (InterruptedException e) {
            client.forget(id);
            throw e;
        } catch (ExecutionException e) {
            throw KvsClient.rethrown(e.getCause());
        }
    }

    /**
     * Returns a future completed once the namespace reaches {@code version}. Until then the wait holds
     * one of the connection's {@link KvsServerOptions#maxInFlight()} slots on the server, even if the
     * future is dropped; use {@link #waitVersion(long, Duration)} for a wait that may give up.
     */
    public CompletableFuture<Long> whenVersion(long version) {
        long id = client.nextId();
        return client.callAsync(id, new Wire.Out(Wire.WAIT_VERSION, id).str(name).i64(version), Wire.R_VERSION,
                Wire.In::i64);
    }

    private static long ceilMillis(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        try {
            Duration up = timeout.plusNanos(999_999);
            return up.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------- watches

    /**
     * Starts a watch whose events go to {@code onEvent}, called on the client's reader thread: keep
     * it short, since every other reply on this connection waits for it.
     *
     * @throws KvsException if the server refused the watch (no such namespace, too many watches)
     */
    public RemoteWatch watch(String key, WatchMode mode, Consumer<? super WatchEvent> onEvent) throws InterruptedException {
        long id = client.nextId();
        RemoteWatch watch = new RemoteWatch(client, id, name, key, mode, onEvent);
        client.addWatch(watch);
        try {
            // The reader thread records the start version before it completes the reply.
            return client.call(id, new Wire.Out(Wire.WATCH, id).str(name).str(key).u8(mode.ordinal()),
                    Wire.R_WATCHING, in -> watch);
        } catch (KvsException | InterruptedException e) {
            client.removeWatch(id);
            throw e;
        }
    }

    /**
     * Starts a watch whose events are {@code put} into {@code queue}. A bounded queue that is not
     * drained holds up the reader thread, and so this client's other replies, and then (through TCP
     * flow control) the server's sends, until the watch overflows on the server: use a client of its
     * own for a consumer that may fall behind.
     */
    public RemoteWatch watch(String key, WatchMode mode, BlockingQueue<? super WatchEvent> queue) throws InterruptedException {
        return watch(key, mode, event -> {
            try {
                queue.put(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public String toString() {
        return "RemoteNamespace[" + name + "]";
    }
}
