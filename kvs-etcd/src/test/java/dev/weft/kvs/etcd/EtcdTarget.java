package dev.weft.kvs.etcd;

import dev.weft.kvs.check.KvTarget;
import dev.weft.kvs.check.NamespaceSession;
import dev.weft.testkit.etcd.EtcdCluster;
import dev.weft.testkit.etcd.EtcdProcess;
import java.io.IOException;
import java.time.Duration;

/**
 * A three-member etcd cluster behind the etcd backend, as a {@link KvTarget} for the
 * linearizability check: its fault is {@code kill -9} of one member (each fault the next one, so the
 * leader goes too), its restart brings that member back on its data. The store stays up throughout
 * (two of three members are a majority), so sessions never wait; calls caught by the kill get
 * {@link dev.weft.kvs.OutcomeUnknownException}, and the checker takes them as unknown.
 */
final class EtcdTarget implements KvTarget {
    private final EtcdCluster cluster;
    private final EtcdKvs store;
    private int next;
    private EtcdProcess down;

    private EtcdTarget(EtcdCluster cluster, EtcdKvs store) {
        this.cluster = cluster;
        this.store = store;
    }

    static EtcdTarget start() throws IOException {
        EtcdCluster cluster = EtcdCluster.start(3);
        try {
            return new EtcdTarget(cluster, EtcdKvs.connect(EtcdKvsOptions.of(cluster.endpoints().split(","))
                    .withCallTimeout(Duration.ofSeconds(5))));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public Session open(int client) {
        return new NamespaceSession(store::primary);
    }

    @Override
    public void crash() {
        down = cluster.member(next++ % cluster.members().size());
        down.kill();
    }

    @Override
    public void restart() throws IOException {
        down.restart();
        down = null;
    }

    @Override
    public String fault() {
        return "kill -9 of one member of a three-member etcd cluster, then a restart on its data";
    }

    @Override
    public void close() throws IOException {
        store.close();
        cluster.close();
    }
}
