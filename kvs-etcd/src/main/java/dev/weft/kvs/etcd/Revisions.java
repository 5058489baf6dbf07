package dev.weft.kvs.etcd;

import dev.weft.kvs.KvsException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells waiters when etcd's revision reaches theirs, for {@code waitVersion}: no polling. The first
 * wait starts one watch on the store's whole prefix from the revision then; every response raises
 * the highest revision seen (its header), and waiters at or below it are completed.
 */
final class Revisions {
    /*
     * A version that came from a commit of this store is a write under its prefix, so the watch sees
     * a response at that revision (replayed if it is already past); a revision reached only by
     * writes outside the prefix is seen once the next write under it comes. A waiter registers
     * under the lock and then checks the revision with a read, so it is completed by whichever
     * comes first, the read or a watch response.
     */
    private record Waiter(long version, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter o) {
            return Long.compare(version, o.version);
        }
    }

    private final EtcdKvs store;
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private long seen;
    private Watch.Watcher watcher;
    private boolean closed;

    Revisions(EtcdKvs store) {
        this.store = store;
    }

    CompletableFuture<Long> whenReached(long version) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                future.completeExceptionally(new KvsException("the store was closed"));
                return future;
            }
            if (seen >= version) {
                future.complete(seen);
                return future;
            }
            waiters.add(new Waiter(version, future));
        } finally {
            lock.unlock();
        }
        ByteSequence any = store.layout().namespacesPrefix();
        store.kv().get(any, GetOption.builder().withCountOnly(true).build()).whenComplete((r, e) -> {
            if (e != null) {
                fail(EtcdKvs.translate(e, false));
            } else {
                advance(r.getHeader().getRevision(), true);
            }
        });
        return future;
    }

    /** Drops a waiter that gave up. */
    void forget(CompletableFuture<Long> future) {
        lock.lock();
        try {
            waiters.removeIf(w -> w.future() == future);
        } finally {
            lock.unlock();
        }
    }

    private void advance(long revision, boolean fromRead) {
        List<Waiter> due = new ArrayList<>();
        long now;
        lock.lock();
        try {
            seen = Math.max(seen, revision);
            now = seen;
            while (!waiters.isEmpty() && waiters.peek().version() <= seen) {
                due.add(waiters.poll());
            }
            if (fromRead && watcher == null && !waiters.isEmpty() && !closed) {
                ByteSequence prefix = Layout.bytes(store.options().prefix());
                watcher = store.client().getWatchClient().watch(prefix,
                        WatchOption.builder().isPrefix(true).withRevision(revision + 1).build(),
                        Watch.listener(response -> advance(response.getHeader().getRevision(), false),
                                error -> restart()));
            }
        } finally {
            lock.unlock();
        }
        due.forEach(w -> w.future().complete(now));
    }

    /** The watch failed (compaction, a lost member): watch again from the current revision. */
    private void restart() {
        lock.lock();
        try {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
            if (closed || waiters.isEmpty()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        store.kv().get(store.layout().namespacesPrefix(), GetOption.builder().withCountOnly(true).build())
                .whenComplete((r, e) -> {
                    if (e == null) {
                        advance(r.getHeader().getRevision(), true);
                    }
                });
    }

    private void fail(KvsException e) {
        List<Waiter> all;
        lock.lock();
        try {
            all = new ArrayList<>(waiters);
            waiters.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(w -> w.future().completeExceptionally(e));
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            if (watcher != null) {
                watcher.close();
            }
        } finally {
            lock.unlock();
        }
        fail(new KvsException("the store was closed"));
    }
}
