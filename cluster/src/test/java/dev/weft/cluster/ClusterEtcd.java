package dev.weft.cluster;

import dev.weft.testkit.etcd.EtcdProcess;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** One etcd for a test class, and runtimes joined to it under a prefix of their own; closes all. */
final class ClusterEtcd implements AutoCloseable {
    final EtcdProcess etcd;
    final String prefix = "test/" + UUID.randomUUID() + "/";
    private final List<AutoCloseable> opened = new ArrayList<>();

    ClusterEtcd() throws IOException {
        etcd = EtcdProcess.start();
    }

    ClusterOptions options(String runtime) {
        return ClusterOptions.of(runtime, etcd.endpoint()).withPrefix(prefix);
    }

    /** A new runtime joined as {@code name}, with a window of {@code window} messages. */
    Node node(String name, int window) throws IOException {
        return node(options(name).withWindow(window));
    }

    /** A new runtime joined with {@code options}. */
    Node node(ClusterOptions options) throws IOException {
        Weft weft = Weft.start();
        Cluster cluster = Cluster.join(weft, options);
        opened.add(weft);
        opened.add(cluster);
        return new Node(weft, cluster);
    }

    /** A runtime and its cluster membership; the helpers go through the runtime's own registry. */
    record Node(Weft weft, Cluster cluster) {

        /** Shares {@code key}, registers {@code inbox} in the registry and returns its address in etcd. */
        <T> RemoteAddress register(ServiceKey<T> key, Inbox<T> inbox, Codec<T> codec) throws InterruptedException {
            cluster.share(key, codec);
            weft.services().register(key, inbox);
            return cluster.locate(key);
        }

        /** Shares {@code key} and looks it up in the registry. */
        <T> Sink<T> lookup(ServiceKey<T> key, Codec<T> codec) {
            cluster.share(key, codec);
            return weft.services().lookup(key);
        }

        /** Shares {@code key} and looks it up in the registry, starting it if no runtime provides it. */
        <T> Sink<T> lookupOrStart(ServiceKey<T> key, Codec<T> codec, Function<Weft, Inbox<T>> starter)
                throws InterruptedException {
            cluster.share(key, codec);
            return weft.services().lookupOrStart(key, starter);
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        etcd.close();
    }
}
