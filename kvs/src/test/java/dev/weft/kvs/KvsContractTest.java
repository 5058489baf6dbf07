package dev.weft.kvs;

import java.util.List;

/** The store contract in process and against a Weft KVS server (etcd: {@code EtcdContractTest} in kvs-etcd). */
class KvsContractTest extends FluxContract {
    @Override
    protected List<Backend> backends() {
        return List.of(new Backend() {
            @Override
            public KvsStore open() throws Exception {
                return ServedStore.inProcess();
            }

            @Override
            public boolean denseVersions() {
                return true;
            }

            @Override
            public String toString() {
                return "in process";
            }
        }, new Backend() {
            @Override
            public KvsStore open() throws Exception {
                return ServedStore.served(KvsServerOptions.loopback(0));
            }

            @Override
            public boolean denseVersions() {
                return true;
            }

            @Override
            public String toString() {
                return "Weft server";
            }
        });
    }
}
