package dev.weft.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Follows the value of one etcd key: tells its listener the value (or {@code null}, absent) each
 * time it changes, starting with the value it has now.
 */
final class KeyWatch implements AutoCloseable {
    /*
     * List, then watch: a get returns the key's value and the store's revision R; the value goes to
     * the listener, and an etcd watch starts at R + 1, so no change after the read is missed and
     * none before it is seen twice. When etcd has compacted past the revision the watch asks for
     * (CompactedException), or the watch fails otherwise, the watch lists again and tells the
     * listener the value the key has now, if it differs from the last one told: changes hidden by
     * compaction collapse into the one that matters, the current value.
     *
     * The lock orders deliveries: a late event of a closed etcd watch and a relist never interleave,
     * and `last` (the value last told) is read and written only under it. `closed` stops everything;
     * the listener may close the watch from inside its call.
     */
    private static final System.Logger LOG = System.getLogger(KeyWatch.class.getName());
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final Object UNTOLD = new Object();

    private final Client client;
    private final ByteSequence key;
    private final Consumer<String> listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger relists = new AtomicInteger();
    private Object last = UNTOLD; // guarded by lock
    private Watch.Watcher watcher; // guarded by lock
    private volatile boolean closed;

    KeyWatch(Client client, ByteSequence key, Consumer<String> listener) {
        this.client = client;
        this.key = key;
        this.listener = listener;
    }

    /** Lists the key (telling its value on this thread), then watches it. */
    KeyWatch start() {
        list();
        return this;
    }

    /**
     * Watches from {@code revision} + 1 as if a list had read {@code value} at {@code revision}:
     * what a watch does after its list. For tests that make that revision old.
     */
    KeyWatch resume(long revision, String value) {
        lock.lock();
        try {
            last = value;
            watchFrom(revision + 1);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** How many times the watch listed the key again after a failed or compacted etcd watch. */
    int relists() {
        return relists.get();
    }

    private void list() {
        while (!closed) {
            try {
                var got = client.getKVClient().get(key).get(10, TimeUnit.SECONDS);
                lock.lock();
                try {
                    tell(got.getKvs().isEmpty() ? null : text(got.getKvs().getFirst()));
                    watchFrom(got.getHeader().getRevision() + 1);
                } finally {
                    lock.unlock();
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "listing {0} failed, trying again: {1}", key, e);
                try {
                    Thread.sleep(RETRY); // a back-off between tries, not synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Starts the etcd watch; under lock. */
    private void watchFrom(long revision) {
        if (closed) {
            return;
        }
        WatchOption from = WatchOption.builder().withRevision(revision).build();
        Watch.Watcher[] mine = new Watch.Watcher[1];
        mine[0] = client.getWatchClient().watch(key, from,
                Watch.listener(r -> changed(mine[0], r), e -> failed(mine[0], e)));
        watcher = mine[0];
    }

    private void changed(Watch.Watcher from, WatchResponse response) {
        lock.lock();
        try {
            for (WatchEvent e : response.getEvents()) {
                if (watcher != from) {
                    return; // a late event of a watch this one has given up
                }
                tell(e.getEventType() == WatchEvent.EventType.DELETE ? null : text(e.getKeyValue()));
            }
        } finally {
            lock.unlock();
        }
    }

    private void failed(Watch.Watcher from, Throwable error) {
        lock.lock();
        try {
            if (closed || watcher != from) {
                return;
            }
            watcher = null;
        } finally {
            lock.unlock();
        }
        from.close();
        relists.incrementAndGet();
        LOG.log(System.Logger.Level.DEBUG, error instanceof CompactedException
                ? "watch of {0} fell behind compaction; listing again" : "watch of {0} failed; listing again", key);
        Thread.ofVirtual().name("weft-cluster-relist").start(this::list);
    }

    /** Tells the listener {@code value} if it differs from the last one told; under lock. */
    private void tell(String value) {
        if (closed || Objects.equals(last, value)) {
            return;
        }
        last = value;
        listener.accept(value);
    }

    private static String text(KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        Watch.Watcher w;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            w = watcher;
            watcher = null;
        } finally {
            lock.unlock();
        }
        if (w != null) {
            w.close();
        }
    }
}
