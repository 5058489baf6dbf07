package dev.weft.kvs;

import dev.weft.actors.net.TcpServerOptions;
import dev.weft.actors.net.Tls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a {@link KvsServer} listens and what it accepts. Start from {@link #loopback(int)} and adjust
 * with the {@code with...} methods. Who may connect is decided per connection, as docs/security.md
 * says: bound beyond loopback without a token the server is in <em>protected mode</em> and serves only
 * clients on its own host, unless it is {@code insecure}.
 *
 * @param address where to listen; loopback unless configured otherwise
 * @param token the shared secret a client must present in its first frame, or {@code null} for none
 * @param tls the TLS every connection speaks (a {@link Tls#server} configuration), or {@code null}
 *     for plain TCP
 * @param insecure the explicit way out: serve clients on other hosts with no token, and take a token
 *     from them over plain TCP (both are refused otherwise); logged as a warning at start
 * @param maxConnections how many connections may be open at once; one accepted beyond that is closed
 *     at once and counted in {@code weft.tcp.refused}
 * @param authTimeout how long a connection to a server with a token may go without presenting it
 *     (the TLS handshake included); then it gets an error frame and is closed
 * @param maxFrameBytes the largest frame body a client may send; a larger one closes its connection
 * @param maxInFlight how many commits, waits and namespace changes one connection may have
 *     outstanding; beyond that the server stops reading its requests (and so the socket: TCP flow
 *     control then stops the client) until some complete
 * @param maxWatches how many watches one connection may hold open
 * @param watchBuffer the events each network watch buffers while its client is slow (then it
 *     overflows)
 * @param users each user's token: a client that presents it is that user, and may use only the
 *     namespaces it owns (see {@link #withUser}); {@code token} is the store owner's
 */
public record KvsServerOptions(InetSocketAddress address, String token, Tls tls, boolean insecure, int maxConnections,
        Duration authTimeout, int maxFrameBytes, int maxInFlight, int maxWatches, int watchBuffer,
        Map<String, String> users) {
    /** The default frame limit: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** The default cap on one connection's pending requests: 4,096. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    /** The default time a connection has to present the token: 10 s. */
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);

    public KvsServerOptions {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(authTimeout, "authTimeout");
        if (maxFrameBytes < Wire.MIN_BODY || maxInFlight < 1 || maxWatches < 1 || watchBuffer < 1 || maxConnections < 1) {
            throw new IllegalArgumentException(
                    "maxFrameBytes, maxInFlight, maxWatches, watchBuffer and maxConnections must be positive");
        }
        if (authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("authTimeout must be positive: " + authTimeout);
        }
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("an empty token would authenticate anyone; use null for no token");
        }
        if (tls != null && !tls.isServer()) {
            throw new IllegalArgumentException("a KVS server needs a server TLS configuration (Tls.server(identity)), "
                    + "got " + tls);
        }
        users = Map.copyOf(users);
        for (Map.Entry<String, String> u : users.entrySet()) {
            if (u.getKey().isBlank() || u.getValue().isEmpty()) {
                throw new IllegalArgumentException("a user needs a name and a non-empty token");
            }
            if (u.getValue().equals(token) || users.values().stream().filter(u.getValue()::equals).count() > 1) {
                throw new IllegalArgumentException("user '" + u.getKey() + "' shares a token with another principal;"
                        + " each token must name one");
            }
        }
    }

    /** Listens on the loopback interface at {@code port} (0 picks a free one), with no token and plain TCP. */
    public static KvsServerOptions loopback(int port) {
        return new KvsServerOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null, null, false,
                TcpServerOptions.DEFAULT_MAX_CONNECTIONS, DEFAULT_AUTH_TIMEOUT, DEFAULT_MAX_FRAME_BYTES,
                DEFAULT_MAX_IN_FLIGHT, 256, Kvs.DEFAULT_WATCH_BUFFER, Map.of());
    }

    public KvsServerOptions withAddress(InetSocketAddress a) {
        return new KvsServerOptions(a, token, tls, insecure, maxConnections, authTimeout,
                maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withToken(String secret) {
        return new KvsServerOptions(address, secret, tls, insecure, maxConnections, authTimeout,
                maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withTls(Tls config) {
        return new KvsServerOptions(address, token, config, insecure, maxConnections, authTimeout,
                maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withInsecure(boolean yes) {
        return new KvsServerOptions(address, token, tls, yes, maxConnections, authTimeout,
                maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxConnections(int connections) {
        return new KvsServerOptions(address, token, tls, insecure, connections, authTimeout,
                maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withAuthTimeout(Duration timeout) {
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, timeout, maxFrameBytes,
                maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxFrameBytes(int bytes) {
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, authTimeout, bytes, maxInFlight,
                maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxInFlight(int requests) {
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, authTimeout, maxFrameBytes,
                requests, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxWatches(int watches) {
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, authTimeout, maxFrameBytes,
                maxInFlight, watches, watchBuffer, users);
    }

    public KvsServerOptions withWatchBuffer(int events) {
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, authTimeout, maxFrameBytes,
                maxInFlight, maxWatches, events, users);
    }

    /**
     * Adds user {@code user}, authenticated by {@code secret}: it may read, write, watch and wait on
     * the namespaces whose owner is {@code user} and no other (its {@code namespaces()} lists only
     * those), and may not create or remove namespaces. The store owner's token ({@link #withToken})
     * may do everything. With users, every client must authenticate.
     */
    public KvsServerOptions withUser(String user, String secret) {
        Map<String, String> more = new TreeMap<>(users);
        more.put(Objects.requireNonNull(user, "user"), Objects.requireNonNull(secret, "secret"));
        return new KvsServerOptions(address, token, tls, insecure, maxConnections, authTimeout, maxFrameBytes,
                maxInFlight, maxWatches, watchBuffer, more);
    }

    @Override
    public String toString() {
        return "KvsServerOptions[address=" + address + ", token=" + (token == null ? "none" : "***") + ", tls="
                + (tls == null ? "none" : tls) + ", insecure=" + insecure + ", maxConnections=" + maxConnections
                + ", authTimeout=" + authTimeout + ", maxFrameBytes=" + maxFrameBytes + ", maxInFlight=" + maxInFlight
                + ", maxWatches=" + maxWatches + ", watchBuffer=" + watchBuffer + ", users="
                + new TreeMap<>(users).keySet() + "]";
    }
}
