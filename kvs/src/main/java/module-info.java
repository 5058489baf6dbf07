/**
 * The Weft key-value store service, modelled on the Flux KVS ({@link dev.weft.kvs}): versions,
 * watches, durability and network access.
 */
module dev.weft.kvs {
    requires transitive dev.weft.runtime;
    requires transitive dev.weft.actors; // KvsServer.tcpServer() hands out its TcpServer

    exports dev.weft.kvs;

    uses dev.weft.kvs.KvsStoreProvider; // KvsStore.open finds other backends' schemes
}
