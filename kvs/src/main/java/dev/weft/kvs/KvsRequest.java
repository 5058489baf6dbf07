package dev.weft.kvs;

import dev.weft.runtime.Sink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A request to an in-process store, answered through its {@link #reply()} future: completed with a
 * {@link KvsReply}, or exceptionally with the {@link KvsException} the typed API would throw. The
 * {@link KvsService} takes them in its inbox, and the network server decodes every frame into one
 * and hands it to the same dispatcher, so a request means the same thing however it arrives.
 */
public sealed interface KvsRequest {
    /** A version argument that means "the latest". */
    long LATEST = -1;

    /** Where the answer goes. */
    CompletableFuture<KvsReply> reply();

    /** Reads a key at {@code version} (or {@link #LATEST}), following symlinks; answered with {@link KvsReply.Value}. */
    record Get(String namespace, String key, long version, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Reads the node at a key itself, a symlink included ({@link View#readlink}); answered with {@link KvsReply.Value}. */
    record ReadLink(String namespace, String key, long version, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Lists a directory; answered with {@link KvsReply.Listing}. */
    record ListDir(String namespace, String dir, long version, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Commits a transaction; answered with {@link KvsReply.Version} once durable. */
    record Commit(String namespace, Txn txn, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Asks for the latest version; answered with {@link KvsReply.Version}. */
    record GetVersion(String namespace, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /**
     * Waits until the namespace reaches {@code version}; answered with {@link KvsReply.Version}. With
     * a {@code timeout} (null: none) it is answered when the timeout passes at the latest, with the
     * version then (lower than asked: not reached), and leaves nothing behind.
     */
    record WaitVersion(String namespace, long version, Duration timeout, CompletableFuture<KvsReply> reply)
            implements KvsRequest {
    }

    /** Starts a watch delivering to {@code events}; answered with {@link KvsReply.WatchStarted}. */
    record StartWatch(String namespace, String key, WatchMode mode, Sink<? super WatchEvent> events,
            CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Cancels a watch by id; answered with {@link KvsReply.Done}. */
    record CancelWatch(long watchId, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Creates a namespace; answered with {@link KvsReply.Done} once durable. */
    record CreateNamespace(String namespace, String owner, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Removes a namespace; answered with {@link KvsReply.Done} once durable. */
    record RemoveNamespace(String namespace, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Lists the namespaces; answered with {@link KvsReply.Namespaces}. */
    record ListNamespaces(CompletableFuture<KvsReply> reply) implements KvsRequest {
    }
}
