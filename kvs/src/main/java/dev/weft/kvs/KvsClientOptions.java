package dev.weft.kvs;

import dev.weft.actors.net.Tls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link KvsClient} reaches its server. Start from {@link #of(InetSocketAddress)} and adjust
 * with the {@code with...} methods.
 *
 * @param address the server
 * @param token the shared secret to present, or {@code null} for a server without one
 * @param callTimeout how long any call waits for its answer unless the namespace was given its own
 *     ({@link Namespace#withTimeout}); then it throws {@link OutcomeUnknownException}
 * @param connectTimeout how long connecting (TCP, the TLS handshake and the token) may take
 * @param tls the TLS to speak (a {@link Tls#client()} configuration: whom it trusts, and a client
 *     certificate for mutual TLS), or {@code null} for plain TCP
 * @param insecure send the token over plain TCP to a server that is not on loopback, where it crosses
 *     the network in clear text (refused otherwise, before anything is sent)
 */
public record KvsClientOptions(InetSocketAddress address, String token, Duration callTimeout, Duration connectTimeout,
        Tls tls, boolean insecure) {
    /** The default call timeout: 30 s. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** The default connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public KvsClientOptions {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("an empty token; use null for a server without one");
        }
        if (tls != null && tls.isServer()) {
            throw new IllegalArgumentException("a KVS client needs a client TLS configuration (Tls.client()), got " + tls);
        }
    }

    /** Options for the server at {@code address}, no token, default timeouts. */
    public static KvsClientOptions of(InetSocketAddress address) {
        return new KvsClientOptions(address, null, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, null, false);
    }

    /** Options for the server at {@code host:port} (an IPv6 host in brackets: {@code [::1]:7100}). */
    public static KvsClientOptions of(String hostPort) {
        return of(parseAddress(hostPort));
    }

    public KvsClientOptions withToken(String secret) {
        return new KvsClientOptions(address, secret, callTimeout, connectTimeout, tls, insecure);
    }

    public KvsClientOptions withCallTimeout(Duration timeout) {
        return new KvsClientOptions(address, token, timeout, connectTimeout, tls, insecure);
    }

    public KvsClientOptions withConnectTimeout(Duration timeout) {
        return new KvsClientOptions(address, token, callTimeout, timeout, tls, insecure);
    }

    public KvsClientOptions withTls(Tls config) {
        return new KvsClientOptions(address, token, callTimeout, connectTimeout, config, insecure);
    }

    public KvsClientOptions withInsecure(boolean yes) {
        return new KvsClientOptions(address, token, callTimeout, connectTimeout, tls, yes);
    }

    /**
     * Parses {@code host:port}; the host may be bracketed IPv6.
     *
     * @throws IllegalArgumentException if {@code hostPort} is not of that form
     */
    public static InetSocketAddress parseAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'", e);
        }
    }

    @Override
    public String toString() {
        return "KvsClientOptions[address=" + address + ", token=" + (token == null ? "none" : "***") + ", callTimeout="
                + callTimeout + ", connectTimeout=" + connectTimeout + ", tls=" + (tls == null ? "none" : tls)
                + ", insecure=" + insecure + "]";
    }
}
