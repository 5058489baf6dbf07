/**
 * The Weft KVS contract on etcd v3 ({@link dev.weft.kvs.etcd}), through jetcd: namespaces as key
 * prefixes, commits as etcd transactions, watches from a revision.
 */
module dev.weft.kvs.etcd {
    requires transitive dev.weft.kvs;
    requires jetcd.core;    // jetcd names no module: these are its automatic names
    requires jetcd.common;

    exports dev.weft.kvs.etcd;

    provides dev.weft.kvs.KvsStoreProvider with dev.weft.kvs.etcd.EtcdStoreProvider;
}
