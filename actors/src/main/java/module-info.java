/**
 * Ready-made Weft components, grouped by feature: composition and small stages
 * ({@link dev.weft.actors.flow}), TCP as components ({@link dev.weft.actors.net}) and supervision
 * ({@link dev.weft.actors.supervise}).
 */
module dev.weft.actors {
    requires transitive dev.weft.runtime;
    requires org.jctools.core; // ReadBuffers pools read buffers in a JCTools queue

    exports dev.weft.actors.flow;
    exports dev.weft.actors.net;
    exports dev.weft.actors.supervise;
}
