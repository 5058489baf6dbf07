package dev.weft.kvs;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one place where {@link KvsRequest}s become calls on an in-process store, for the
 * {@link KvsService}'s inbox and for every network connection alike. It never blocks: reads,
 * version queries and watch starts are answered before {@link #dispatch} returns; commits and waits
 * when their futures complete; namespace changes (which wait for durability) on a virtual thread of
 * their own. Each request is checked against its {@link Principal} first.
 */
final class KvsDispatcher {
    private KvsDispatcher() {
    }

    /** Handles {@code request} from the store's owner. */
    static void dispatch(Kvs kvs, KvsRequest request) {
        dispatch(kvs, request, Principal.OWNER);
    }

    /** Handles {@code request} from {@code principal}: its reply completes now or later, never with an unchecked surprise. */
    static void dispatch(Kvs kvs, KvsRequest request, Principal principal) {
        CompletableFuture<KvsReply> reply = request.reply();
        try {
            switch (request) {
                case KvsRequest.Get g -> reply.complete(new KvsReply.Value(
                        view(kvs, principal, g.namespace(), g.version()).entry(g.key())));
                case KvsRequest.ReadLink r -> reply.complete(new KvsReply.Value(
                        view(kvs, principal, r.namespace(), r.version()).readlink(r.key())));
                case KvsRequest.ListDir l -> {
                    LocalView view = view(kvs, principal, l.namespace(), l.version());
                    reply.complete(new KvsReply.Listing(view.version(), view.list(l.dir())));
                }
                case KvsRequest.Commit c -> forward(use(kvs, principal, c.namespace()).commitAsync(c.txn()), reply);
                case KvsRequest.GetVersion v -> reply.complete(new KvsReply.Version(use(kvs, principal, v.namespace()).version()));
                case KvsRequest.WaitVersion w -> forward(waitFor(use(kvs, principal, w.namespace()), w), reply);
                case KvsRequest.StartWatch w -> {
                    LocalWatch watch = use(kvs, principal, w.namespace()).watch(w.key(), w.mode(), w.events());
                    reply.complete(new KvsReply.WatchStarted(watch.id(), watch.startVersion()));
                }
                case KvsRequest.CancelWatch c -> {
                    kvs.cancelWatch(c.watchId());
                    reply.complete(new KvsReply.Done());
                }
                case KvsRequest.CreateNamespace c -> {
                    principal.checkOwner("create namespace '" + c.namespace() + "'");
                    inBackground(reply, () -> kvs.createNamespace(c.namespace(), c.owner()));
                }
                case KvsRequest.RemoveNamespace r -> {
                    principal.checkOwner("remove namespace '" + r.namespace() + "'");
                    inBackground(reply, () -> kvs.removeNamespace(r.namespace()));
                }
                case KvsRequest.ListNamespaces l -> reply.complete(new KvsReply.Namespaces(kvs.namespaces().stream()
                        .filter(n -> principal.mayUse(n.owner())).toList()));
            }
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
    }

    /** The namespace {@code name}, if {@code principal} may use it. */
    private static LocalNamespace use(Kvs kvs, Principal principal, String name) {
        LocalNamespace ns = kvs.local(name);
        principal.checkUse(ns);
        return ns;
    }

    private static LocalView view(Kvs kvs, Principal principal, String namespace, long version) {
        LocalNamespace ns = use(kvs, principal, namespace);
        return version == KvsRequest.LATEST ? ns.latest(principal) : ns.at(version, principal);
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
