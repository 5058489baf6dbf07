package dev.weft.kvs;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * The KVS as a Weft service: a component that owns a {@link Kvs} and answers {@link KvsRequest}s
 * sent to its {@code requests} inbox, registered under {@link #KVS_KEY}.
 *
 * <pre>{@code
 * Kvs kvs = KvsService.lookupOrStart(weft, KvsOptions.durable(dir));   // typed API, any thread
 * kvs.primary().commit(new Txn().put("a", "1"));
 * }</pre>
 *
 * <p>Components and threads in the same JVM use the typed {@link Kvs} API it hands out: reads go
 * straight to the immutable tree (no message, no lock), and commits take the namespace's short
 * commit lock and queue for group commit on the caller's thread, so the service component is not a
 * bottleneck every commit must pass through. The request inbox is for callers that speak in
 * messages, such as a network server; the service never blocks on a request (commits and waits
 * answer when their futures complete).
 */
public final class KvsService extends Component {
    /** The registry key of the KVS service. */
    public static final ServiceKey<KvsRequest> KVS_KEY = ServiceKey.of("weft.kvs", KvsRequest.class);

    /** The service's request inbox. */
    public final Inbox<KvsRequest> requests = inbox("requests", KvsRequest.class, 1024);
    private final Kvs kvs;

    /** Creates a service around {@code kvs}; it closes the store when it ends. */
    public KvsService(Kvs kvs) {
        super("kvs");
        this.kvs = kvs;
    }

    /**
     * Returns the runtime's KVS, opening it with {@code options} and starting the service if none is
     * registered yet. However many callers race, one store is opened.
     *
     * @throws KvsException if opening the store failed
     */
    public static Kvs lookupOrStart(Weft weft, KvsOptions options) throws InterruptedException {
        Inbox<KvsRequest> inbox = weft.services().lookupOrStart(KVS_KEY, w -> {
            try {
                return w.spawn(new KvsService(Kvs.open(options))).requests;
            } catch (IOException e) {
                throw new KvsException("opening the KVS in " + options.directory() + " failed", e);
            }
        });
        if (!(inbox.owner() instanceof KvsService service)) {
            throw new KvsException(KVS_KEY + " is registered by " + inbox.owner() + ", not a KvsService");
        }
        return service.kvs;
    }

    /** Returns the store this service owns. */
    public Kvs kvs() {
        return kvs;
    }

    @Override
    protected void run() throws InterruptedException {
        try {
            for (;;) {
                Inbox<?> ready = select(requests, control());
                if (ready == control()) {
                    if (control().poll() instanceof dev.weft.runtime.Shutdown) {
                        return;
                    }
                    continue;
                }
                KvsRequest request = requests.poll();
                try {
                    handle(request);
                } catch (RuntimeException e) {
                    request.reply().completeExceptionally(e);
                }
            }
        } finally {
            kvs.close();
        }
    }

    private void handle(KvsRequest request) {
        CompletableFuture<KvsReply> reply = request.reply();
        switch (request) {
            case KvsRequest.Get g -> {
                View view = view(g.namespace(), g.version());
                reply.complete(new KvsReply.Value(view.version(), view.get(g.key())));
            }
            case KvsRequest.ListDir l -> {
                View view = view(l.namespace(), l.version());
                reply.complete(new KvsReply.Listing(view.version(), view.list(l.dir())));
            }
            case KvsRequest.Commit c -> forward(kvs.namespace(c.namespace()).commitAsync(c.txn()), reply);
            case KvsRequest.GetVersion v -> reply.complete(new KvsReply.Version(kvs.namespace(v.namespace()).version()));
            case KvsRequest.WaitVersion w -> forward(kvs.namespace(w.namespace()).whenVersion(w.version()), reply);
            case KvsRequest.StartWatch w -> {
                Watch watch = kvs.namespace(w.namespace()).watch(w.key(), w.mode(), w.events());
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
    }

    private View view(String namespace, long version) {
        Namespace ns = kvs.namespace(namespace);
        return version == KvsRequest.LATEST ? ns.latest() : ns.at(version);
    }

    private static void forward(CompletableFuture<Long> version, CompletableFuture<KvsReply> reply) {
        version.whenComplete((v, e) -> {
            if (e == null) {
                reply.complete(new KvsReply.Version(v));
            } else {
                reply.completeExceptionally(Namespace.unwrap(e));
            }
        });
    }

    private interface Blocking {
        void run() throws InterruptedException;
    }

    /** Runs an operation that waits for durability on a virtual thread of its own. */
    private static void inBackground(CompletableFuture<KvsReply> reply, Blocking op) {
        Thread.ofVirtual().start(() -> {
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
