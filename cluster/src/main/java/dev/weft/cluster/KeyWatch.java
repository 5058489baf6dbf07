package dev.weft.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Watches one etcd key until it stops holding what the watcher expects, then reports once.
 */
final class KeyWatch implements AutoCloseable {
    /*
     * List, then watch: a get returns the key and the store's revision R; if the key already does
     * not match, the report goes at once; otherwise an etcd watch starts at R + 1, so no change
     * after the read is missed and none before it is seen twice. When etcd has compacted past the
     * revision the watch asks for (CompactedException), or the watch fails otherwise, the watch
     * lists again: the key's current value decides, so a delete-and-recreate hidden by compaction
     * still counts as "gone" (the new value names another incarnation). `done` makes the report
     * happen once and stops further relists.
     */
    private static final System.Logger LOG = System.getLogger(KeyWatch.class.getName());
    private static final Duration RETRY = Duration.ofMillis(500);

    private final Client client;
    private final ByteSequence key;
    private final Predicate<KeyValue> stillThere;
    private final Consumer<String> onGone;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Watch.Watcher watcher;

    KeyWatch(Client client, ByteSequence key, Predicate<KeyValue> stillThere, Consumer<String> onGone) {
        this.client = client;
        this.key = key;
        this.stillThere = stillThere;
        this.onGone = onGone;
    }

    KeyWatch start() {
        list();
        return this;
    }

    private void list() {
        while (!done.get()) {
            try {
                var got = client.getKVClient().get(key).get(10, TimeUnit.SECONDS);
                KeyValue kv = got.getKvs().isEmpty() ? null : got.getKvs().getFirst();
                if (kv == null || !stillThere.test(kv)) {
                    gone(kv == null ? "its key is gone (the provider ended or its runtime's lease expired)"
                            : "its key now names another provider");
                    return;
                }
                WatchOption from = WatchOption.builder().withRevision(got.getHeader().getRevision() + 1).build();
                watcher = client.getWatchClient().watch(key, from, Watch.listener(this::changed, this::failed));
                if (done.get()) {
                    watcher.close();
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "listing {0} failed, trying again: {1}", key, e);
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void changed(WatchResponse response) {
        for (WatchEvent e : response.getEvents()) {
            if (e.getEventType() == WatchEvent.EventType.DELETE) {
                gone("its key was deleted (the provider ended or its runtime's lease expired)");
                return;
            }
            if (e.getEventType() == WatchEvent.EventType.PUT && !stillThere.test(e.getKeyValue())) {
                gone("its key now names another provider");
                return;
            }
        }
    }

    private void failed(Throwable error) {
        if (done.get()) {
            return;
        }
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
        LOG.log(System.Logger.Level.DEBUG, error instanceof CompactedException
                ? "watch of {0} fell behind compaction; listing again" : "watch of {0} failed; listing again", key);
        Thread.ofVirtual().name("weft-cluster-relist").start(this::list);
    }

    private void gone(String why) {
        if (done.compareAndSet(false, true)) {
            Watch.Watcher w = watcher;
            if (w != null) {
                w.close();
            }
            onGone.accept(why);
        }
    }

    @Override
    public void close() {
        if (done.compareAndSet(false, true)) {
            Watch.Watcher w = watcher;
            if (w != null) {
                w.close();
            }
        }
    }
}
