package dev.weft.kvs;

import dev.weft.runtime.Component;
import dev.weft.runtime.Extension;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

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
    /** The service most recently started in a runtime, set before it is registered under {@link #KVS_KEY}. */
    private static final Extension<AtomicReference<KvsService>> CURRENT = w -> new AtomicReference<>();

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
        AtomicReference<KvsService> current = weft.extension(CURRENT);
        weft.services().lookupOrStart(KVS_KEY, w -> {
            try {
                KvsService started = w.spawn(new KvsService(Kvs.open(options)));
                current.set(started);
                return started.requests;
            } catch (IOException e) {
                throw new KvsException("opening the KVS in " + options.directory() + " failed", e);
            }
        });
        KvsService service = running(weft);
        if (service == null) {
            throw new KvsException(KVS_KEY + " is registered by something other than KvsService.lookupOrStart");
        }
        return service.kvs;
    }

    /** Returns the service most recently started in {@code weft} by {@link #lookupOrStart}, or null. */
    static KvsService running(Weft weft) {
        return weft.extension(CURRENT).get();
    }

    /** Returns the store this service owns. */
    public Kvs kvs() {
        return kvs;
    }

    @Override
    protected void run() throws InterruptedException {
        try {
            for (;;) {
                Inbox<?> ready = select(requests, control);
                if (ready == control) {
                    if (control.poll() instanceof dev.weft.runtime.Shutdown) {
                        return;
                    }
                    continue;
                }
                KvsDispatcher.dispatch(kvs, requests.poll());
            }
        } finally {
            kvs.close();
        }
    }
}
