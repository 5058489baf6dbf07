package dev.weft.kvs;

import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stores for the contract tests, each in a temporary directory that closing the store deletes: an
 * in-process durable store, and one served by a {@link KvsServer} in a runtime of its own and reached
 * through a {@link KvsClient}.
 */
record ServedStore(KvsStore store, AutoCloseable closer) implements KvsStore {
    /** A durable in-process store. */
    static KvsStore inProcess() throws IOException {
        Path dir = Files.createTempDirectory("weft-kvs-local");
        Kvs kvs = Kvs.open(KvsOptions.durable(dir));
        return new ServedStore(kvs, () -> delete(dir));
    }

    /** A durable store behind a server with {@code serverOptions}, and a client on it. */
    static KvsStore served(KvsServerOptions serverOptions) throws IOException {
        Path dir = Files.createTempDirectory("weft-kvs-served");
        Weft weft = Weft.start();
        Kvs kvs = Kvs.open(KvsOptions.durable(dir));
        KvsServer server = KvsServer.start(weft, kvs, serverOptions);
        return new ServedStore(KvsClient.connect(server.address()), () -> {
            weft.close();
            kvs.close();
            delete(dir);
        });
    }

    @Override
    public Namespace namespace(String name) {
        return store.namespace(name);
    }

    @Override
    public List<NamespaceInfo> namespaces() throws InterruptedException {
        return store.namespaces();
    }

    @Override
    public Namespace createNamespace(String name, String owner) throws InterruptedException {
        return store.createNamespace(name, owner);
    }

    @Override
    public void removeNamespace(String name) throws InterruptedException {
        store.removeNamespace(name);
    }

    @Override
    public void close() {
        store.close();
        try {
            closer.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + store + " failed", e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
