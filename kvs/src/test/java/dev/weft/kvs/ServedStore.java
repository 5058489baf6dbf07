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
 * A durable store in a temporary directory, served by a {@link KvsServer} in a runtime of its own,
 * and a {@link KvsClient} on it: the client is the {@link KvsStore}; closing it closes all of it
 * and deletes the directory.
 */
final class ServedStore implements KvsStore {
    final Path dir;
    final Weft weft;
    final Kvs kvs;
    final KvsServer server;
    final KvsClient client;

    private ServedStore(Path dir, Weft weft, Kvs kvs, KvsServer server, KvsClient client) {
        this.dir = dir;
        this.weft = weft;
        this.kvs = kvs;
        this.server = server;
        this.client = client;
    }

    static ServedStore start(KvsServerOptions serverOptions) throws IOException {
        Path dir = Files.createTempDirectory("weft-kvs-served");
        Weft weft = Weft.start();
        Kvs kvs = Kvs.open(KvsOptions.durable(dir));
        KvsServer server = KvsServer.start(weft, kvs, serverOptions);
        return new ServedStore(dir, weft, kvs, server, KvsClient.connect(server.address()));
    }

    /** Opens an in-process durable store in a temporary directory that closing it deletes. */
    static KvsStore inProcess() throws IOException {
        Path dir = Files.createTempDirectory("weft-kvs-local");
        Kvs kvs = Kvs.open(KvsOptions.durable(dir));
        return new KvsStore() {
            @Override
            public Namespace namespace(String name) {
                return kvs.namespace(name);
            }

            @Override
            public List<NamespaceInfo> namespaces() {
                return kvs.namespaces();
            }

            @Override
            public Namespace createNamespace(String name, String owner) throws InterruptedException {
                return kvs.createNamespace(name, owner);
            }

            @Override
            public void removeNamespace(String name) throws InterruptedException {
                kvs.removeNamespace(name);
            }

            @Override
            public void close() {
                kvs.close();
                delete(dir);
            }

            @Override
            public String toString() {
                return "in process, durable in " + dir;
            }
        };
    }

    @Override
    public Namespace namespace(String name) {
        return client.namespace(name);
    }

    @Override
    public List<NamespaceInfo> namespaces() throws InterruptedException {
        return client.namespaces();
    }

    @Override
    public Namespace createNamespace(String name, String owner) throws InterruptedException {
        return client.createNamespace(name, owner);
    }

    @Override
    public void removeNamespace(String name) throws InterruptedException {
        client.removeNamespace(name);
    }

    @Override
    public void close() {
        client.close();
        weft.close();
        kvs.close();
        delete(dir);
    }

    static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
