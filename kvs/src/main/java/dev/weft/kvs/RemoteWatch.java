package dev.weft.kvs;

import java.util.function.Consumer;

/**
 * A watch held open over a {@link KvsClient}'s connection; made by {@link RemoteNamespace#watch}.
 * Its events carry {@link #id()} as their watch id, arrive in version order, each change once, and
 * end with exactly one {@link WatchEvent.Ended} — {@code CLOSED} if the connection is lost.
 */
final class RemoteWatch implements Watch {
    /*
     * Only the client's reader thread changes a watch (started, deliver, closed), so a plain check
     * and then a write of `ended` cannot let a second Ended or a late event through. The fields are
     * volatile only so that other threads read isActive() and startVersion() fresh.
     */
    private final KvsClient client;
    private final ClientConnection connection;
    private final long id;
    private final String namespace;
    private final String key;
    private final WatchMode mode;
    private final Consumer<? super WatchEvent> sink;
    private volatile boolean ended;
    private volatile long startVersion = -1;
    private long lastVersion;

    RemoteWatch(KvsClient client, ClientConnection connection, long id, String namespace, String key, WatchMode mode,
            Consumer<? super WatchEvent> sink) {
        this.client = client;
        this.connection = connection;
        this.id = id;
        this.namespace = namespace;
        this.key = key;
        this.mode = mode;
        this.sink = sink;
    }

    /** Returns this watch's id, carried by each of its events (the id of the request that started it). */
    @Override
    public long id() {
        return id;
    }

    /** Returns the watched namespace. */
    public String namespace() {
        return namespace;
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
        return !ended;
    }

    /**
     * Sends the cancellation without waiting for the server's answer; the {@code Ended(CANCELLED)}
     * event confirms it. A watch that has ended, or whose connection is gone, is left alone.
     */
    @Override
    public void cancel() {
        if (ended || !connection.isOpen()) {
            return;
        }
        long request = client.nextId();
        connection.request(request, new Wire.Out(Wire.CANCEL_WATCH, request).i64(id)).exceptionally(e -> null);
        connection.forget(request);
    }

    /** The server took the watch (reader thread). */
    void started(long version) {
        lastVersion = version;
        startVersion = version;
    }

    boolean hasStarted() {
        return startVersion >= 0;
    }

    /** Delivers an event from the server (reader thread). */
    void deliver(WatchEvent event) {
        if (ended) {
            return;
        }
        lastVersion = Math.max(lastVersion, event.version());
        if (event instanceof WatchEvent.Ended) {
            ended = true;
            connection.removeWatch(id);
        }
        sink.accept(event);
    }

    /** The connection ended before the watch did (reader thread, after its last delivery). */
    void closed() {
        if (!ended) {
            ended = true;
            sink.accept(new WatchEvent.Ended(id, key, lastVersion, WatchEvent.Reason.CLOSED));
        }
    }

    @Override
    public String toString() {
        return "RemoteWatch#" + id + "[" + namespace + ":" + key + " " + mode + "]";
    }
}
