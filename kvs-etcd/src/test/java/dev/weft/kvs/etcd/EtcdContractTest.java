package dev.weft.kvs.etcd;

import dev.weft.kvs.FluxContract;
import dev.weft.kvs.KvsStore;
import dev.weft.testkit.etcd.EtcdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/** The store contract (with Flux's later features) on etcd: one etcd for the class, each test on a key prefix of its own. */
class EtcdContractTest extends FluxContract {
    private EtcdProcess etcd;

    @Override
    protected List<Backend> backends() {
        if (etcd == null) {
            try {
                etcd = EtcdProcess.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String endpoint = etcd.endpoint();
        return List.of(new Backend() {
            @Override
            public KvsStore open() throws Exception {
                return EtcdKvs.connect(EtcdKvsOptions.of(endpoint).withPrefix("test/" + UUID.randomUUID() + "/"));
            }

            @Override
            public boolean denseVersions() {
                return false;
            }

            @Override
            public boolean copiesDirectories() {
                return false;
            }

            @Override
            public String toString() {
                return "etcd";
            }
        });
    }

    @AfterAll
    void stopEtcd() throws IOException {
        if (etcd != null) {
            etcd.close();
        }
    }
}
