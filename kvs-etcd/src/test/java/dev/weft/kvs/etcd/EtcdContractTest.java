package dev.weft.kvs.etcd;

import dev.weft.kvs.KvsContract;
import dev.weft.kvs.KvsStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/** The store contract on etcd: each test on a prefix of its own. */
class EtcdContractTest extends KvsContract {
    @Override
    protected List<Backend> backends() {
        String endpoints = System.getProperty("weft.etcd.endpoints", System.getenv("WEFT_ETCD_ENDPOINTS"));
        Assumptions.assumeTrue(endpoints != null, "no etcd (set -Dweft.etcd.endpoints=host:port)");
        return List.of(new Backend() {
            @Override
            public KvsStore open() throws Exception {
                return EtcdKvs.connect(EtcdKvsOptions.of(endpoints.split(","))
                        .withPrefix("weft-test/" + UUID.randomUUID() + "/"));
            }

            @Override
            public boolean denseVersions() {
                return false;
            }

            @Override
            public String toString() {
                return "etcd";
            }
        });
    }
}
