package dev.weft.runtime;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/** The extensions of one runtime; see {@link Extension}. */
final class Extensions {
    /*
     * Each id maps to a future. The first caller puts its own future in (under the lock), then runs
     * the creation with no lock held; racing callers find that future and wait on it. A creation
     * that fails removes its future before completing it exceptionally, so every waiter gets the
     * failure and the next call starts a fresh creation. A creation that asks for its own id would
     * wait for itself: the creating thread is recorded and such a call is refused.
     */
    private record Pending(CompletableFuture<Object> result, Thread creator) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Extension<?>, Pending> byId = new IdentityHashMap<>();

    @SuppressWarnings("unchecked")   // each id's future only ever holds what that id created
    <E> E get(Weft weft, Extension<E> id) {
        Objects.requireNonNull(id, "id");
        Pending mine = new Pending(new CompletableFuture<>(), Thread.currentThread());
        Pending found;
        lock.lock();
        try {
            found = byId.putIfAbsent(id, mine);
        } finally {
            lock.unlock();
        }
        if (found == null) {
            return (E) create(weft, id, mine);
        }
        if (found.creator() == Thread.currentThread() && !found.result().isDone()) {
            throw new IllegalStateException("extension " + id + " asked for itself while being created");
        }
        try {
            return (E) found.result().join();
        } catch (CompletionException e) {
            throw (WeftException) e.getCause();
        }
    }

    private Object create(Weft weft, Extension<?> id, Pending mine) {
        Object made;
        try {
            made = Objects.requireNonNull(id.create(weft), () -> "extension " + id + " created null");
        } catch (Exception | Error e) {
            WeftException failed = new WeftException("creating extension " + id + " failed: " + e, e);
            lock.lock();
            try {
                byId.remove(id, mine);
            } finally {
                lock.unlock();
            }
            mine.result().completeExceptionally(failed);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failed;
        }
        mine.result().complete(made);
        return made;
    }
}
