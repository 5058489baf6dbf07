package dev.weft.kvs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one place where {@link KvsRequest}s become calls on an in-process store, for the
 * {@link KvsService}'s inbox and for every network connection alike. It never blocks: reads,
 * version queries and watch starts are answered before {@link #dispatch} returns; commits and waits
 * when their futures complete; namespace changes (which wait for durability) on a virtual thread of
 * their own.
 */
final class KvsDispatcher {
    private KvsDispatcher() {
    }

    /** Handles {@code request}: its reply completes now or later, never with an unchecked surprise. */
    static void dispatch(Kvs kvs, KvsRequest request) {
        CompletableFuture<KvsReply> reply = request.reply();
        try {
            switch (request) {
                case KvsRequest.Get g -> reply.complete(new KvsReply.Value(view(kvs, g.namespace(), g.version()).entry(g.key())));
                case KvsRequest.ListDir l -> {
                    LocalView view = view(kvs, l.namespace(), l.version());
                    reply.complete(new KvsReply.Listing(view.version(), view.list(l.dir())));
                }
                case KvsRequest.Commit c -> forward(kvs.local(c.namespace()).commitAsync(c.txn()), reply);
                case KvsRequest.GetVersion v -> reply.complete(new KvsReply.Version(kvs.local(v.namespace()).version()));
                case KvsRequest.WaitVersion w -> forward(waitFor(kvs.local(w.namespace()), w), reply);
                case KvsRequest.StartWatch w -> {
                    LocalWatch watch = kvs.local(w.namespace()).watch(w.key(), w.mode(), w.events());
                    reply.complete(new KvsReply.WatchStarted(watch.id(), watch.startVersion()));
                }
                case KvsRequest.CancelWatch c -> {
                    kvs.cancelWatch(c.watchId());
                    reply.complete(new KvsReply.Done());
                }
                case KvsRequest.CreateNamespace c -> inBackground(reply, () -> kvs.createNamespace(c.namespace(), c.owner()));
                case KvsRequest.RemoveNamespace r -> inBackground(reply, () -> kvs.removeNamespace(r.namespace()));
                case KvsRequest.ListNamespaces l -> reply.complete(new KvsReply.Namespaces(kvs.namespaces()));
            }
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
    }

    private static LocalView view(Kvs kvs, String namespace, long version) {
        LocalNamespace ns = kvs.local(namespace);
        return version == KvsRequest.LATEST ? ns.latest() : ns.at(version);
    }

    private static CompletableFuture<Long> waitFor(LocalNamespace ns, KvsRequest.WaitVersion w) {
        if (w.timeout() == null) {
            return ns.whenVersion(w.version());
        }
        if (w.timeout().isNegative()) {
            throw new KvsException("a wait's timeout must not be negative: " + w.timeout());
        }
        return ns.whenVersion(w.version(), w.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void forward(CompletableFuture<Long> version, CompletableFuture<KvsReply> reply) {
        version.whenComplete((v, e) -> {
            if (e == null) {
                reply.complete(new KvsReply.Version(v));
            } else {
                reply.completeExceptionally(LocalNamespace.unwrap(e));
            }
        });
    }

    private interface Blocking {
        void run() throws InterruptedException;
    }

    /** Runs an operation that waits for durability on a virtual thread of its own. */
    private static void inBackground(CompletableFuture<KvsReply> reply, Blocking op) {
        Thread.ofVirtual().name("weft-kvs-namespace-change").start(() -> {
            try {
                op.run();
                reply.complete(new KvsReply.Done());
            } catch (InterruptedException e) {
                reply.completeExceptionally(new KvsException("interrupted"));
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
    }
}
