package dev.weft.kvs;

import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;

/**
 * A request to the {@link KvsService}, answered through its {@link #reply()} future: completed with
 * a {@link KvsReply}, or exceptionally with a {@link KvsException} (a {@link ConflictException} for
 * a failed precondition). Every operation of the typed API has a request here, so a network server
 * can map frames onto requests and futures onto reply frames one to one.
 */
public sealed interface KvsRequest {
    /** A version argument that means "the latest". */
    long LATEST = -1;

    /** Where the answer goes. */
    CompletableFuture<KvsReply> reply();

    /** Reads a value; answered with {@link KvsReply.Value}. */
    record Get(String namespace, String key, long version, CompletableFuture<KvsReply> reply) implements KvsRequest {
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

    /** Waits until the namespace reaches {@code version}; answered with {@link KvsReply.Version}. */
    record WaitVersion(String namespace, long version, CompletableFuture<KvsReply> reply) implements KvsRequest {
    }

    /** Starts a watch delivering to {@code events}; answered with {@link KvsReply.WatchStarted}. */
    record StartWatch(String namespace, String key, WatchMode mode, Inbox<? super WatchEvent> events,
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
