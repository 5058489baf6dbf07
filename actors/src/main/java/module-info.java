/**
 * Ready-made Weft components, grouped by feature: composition and small stages
 * ({@link dev.weft.actors.flow}), TCP as components ({@link dev.weft.actors.net}) and supervision
 * ({@link dev.weft.actors.supervise}).
 */
module dev.weft.actors {
    requires transitive dev.weft.runtime;
    requires org.jctools.core; // BufferPool lends read and TLS buffers from JCTools queues

    exports dev.weft.actors.flow;
    exports dev.weft.actors.net;
    exports dev.weft.actors.supervise;
}
