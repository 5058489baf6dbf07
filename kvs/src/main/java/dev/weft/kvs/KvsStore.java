package dev.weft.kvs;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A key-value store of namespaces, with one contract for three backends:
 * <ul>
 *   <li>in process: {@link Kvs#open(KvsOptions)} (or {@link KvsService#lookupOrStart} in a runtime);
 *   <li>a Weft KVS server over TCP: {@link KvsClient#connect(KvsClientOptions)};
 *   <li>etcd v3: {@code EtcdKvs.connect(...)} in module {@code weft-kvs-etcd}.
 * </ul>
 * {@link #open(String)} opens any of them from a location string, so a program can be pointed at a
 * backend by configuration:
 *
 * <pre>{@code
 * try (KvsStore store = KvsStore.open("weft://127.0.0.1:7100")) {   // or "mem:", "file:/var/kvs", "etcd://127.0.0.1:2379"
 *     long v = store.primary().commit(new Txn().put("job.state", "running"));
 * }
 * }</pre>
 */
public interface KvsStore extends AutoCloseable {
    /** The namespace every store has. */
    String PRIMARY = "primary";

    /**
     * Opens the store at {@code location}: {@code mem:} (in process, in memory),
     * {@code file:/path} (in process, durable in that directory), {@code weft://host:port} (a Weft
     * KVS server; the token comes from {@code $WEFT_KVS_TOKEN}), or a scheme served by a
     * {@link KvsStoreProvider} on the class path ({@code etcd://host:port[,host:port...][/prefix]}
     * with {@code weft-kvs-etcd}).
     *
     * @throws IllegalArgumentException if the location is malformed or its scheme unknown
     * @throws IOException if the store cannot be opened or reached
     */
    static KvsStore open(String location) throws IOException {
        int colon = location.indexOf(':');
        String scheme = colon > 0 ? location.substring(0, colon).toLowerCase(java.util.Locale.ROOT) : "";
        if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
            throw new IllegalArgumentException("a store location needs a scheme (mem:, file:, weft:, etcd:): '"
                    + location + "'");
        }
        if (scheme.equals("mem")) {
            return Kvs.inMemory();
        }
        URI uri = URI.create(location);
        switch (scheme) {
            case "file" -> {
                return Kvs.open(KvsOptions.durable(java.nio.file.Path.of(uri)));
            }
            case "weft" -> {
                return KvsClient.open(uri);
            }
            default -> { }
        }
        for (KvsStoreProvider provider : ServiceLoader.load(KvsStoreProvider.class)) {
            if (provider.scheme().equalsIgnoreCase(scheme)) {
                return provider.open(uri);
            }
        }
        throw new IllegalArgumentException("no KVS backend for '" + scheme + ":' on the class path (mem:, file: and"
                + " weft: come with weft-kvs; etcd: needs weft-kvs-etcd)");
    }

    /** Returns the {@value #PRIMARY} namespace. */
    default Namespace primary() {
        return namespace(PRIMARY);
    }

    /**
     * Returns namespace {@code name}. In process this throws {@link NoSuchNamespaceException} at
     * once if there is none; elsewhere it returns a handle, and its first call throws it.
     */
    Namespace namespace(String name);

    /** Returns every namespace whose creation is durable (and removal is not), sorted by name. */
    List<NamespaceInfo> namespaces() throws InterruptedException;

    /**
     * Creates an empty namespace owned by {@code owner}; returns once the creation is durable, which
     * is also when others see it.
     *
     * @throws NamespaceExistsException if it exists already
     */
    Namespace createNamespace(String name, String owner) throws InterruptedException;

    /**
     * Removes namespace {@code name} and everything in it; its watches end with
     * {@link WatchEvent.Reason#NAMESPACE_REMOVED}. Returns once the removal is durable.
     *
     * @throws NoSuchNamespaceException if there is no such namespace
     * @throws KvsException for the {@value #PRIMARY} namespace, which cannot be removed
     */
    void removeNamespace(String name) throws InterruptedException;

    /** Closes the store (or the connection to it); every watch ends with {@link WatchEvent.Reason#CLOSED}. */
    @Override
    void close();
}
