package dev.weft.actors.net;

/**
 * What a {@link TcpServer} puts in front of every connection, and how many it holds at once. Start
 * from {@link #defaults()} and adjust with the {@code with...} methods.
 *
 * @param tls the TLS every connection speaks (a {@link Tls#server server} configuration), or null
 *     for plain TCP
 * @param maxConnections how many connections may be open at once; the server closes each one it
 *     accepts beyond that at once, counts it in {@code weft.tcp.refused} and logs a warning each time
 *     it reaches the limit
 */
public record TcpServerOptions(Tls tls, int maxConnections) {
    /** The default cap on open connections: 10,000 (Redis's {@code maxclients}). */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public TcpServerOptions {
        if (tls != null && !tls.isServer()) {
            throw new IllegalArgumentException("a server needs a server TLS configuration (Tls.server(identity)), "
                    + "got " + tls);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
    }

    /** Plain TCP, at most {@value #DEFAULT_MAX_CONNECTIONS} connections. */
    public static TcpServerOptions defaults() {
        return new TcpServerOptions(null, DEFAULT_MAX_CONNECTIONS);
    }

    /** Every connection speaks TLS as {@code config} says (null for plain TCP). */
    public TcpServerOptions withTls(Tls config) {
        return new TcpServerOptions(config, maxConnections);
    }

    /** Holds at most {@code connections} connections at once. */
    public TcpServerOptions withMaxConnections(int connections) {
        return new TcpServerOptions(tls, connections);
    }
}
