package dev.weft.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a runtime joins a cluster.
 *
 * <pre>{@code
 * Cluster cluster = Cluster.join(weft, ClusterOptions.of("node-a", "http://127.0.0.1:2379"));
 * }</pre>
 *
 * @param endpoints the etcd endpoints ({@code http://host:port})
 * @param runtime this runtime's name, unique among live runtimes (a restart may reuse it: the
 *     incarnation tells the two apart)
 * @param host the address links are served on and published as (default 127.0.0.1: loopback
 *     unless told otherwise)
 * @param port the port links are served on (0: any free port)
 * @param leaseTtl the lease's time to live: how long a crashed runtime's services stay visible
 * @param window how many messages one link may have in flight before the sender parks
 * @param prefix the etcd key prefix under which the registry lives
 * @param tls the mutual TLS every link speaks, or {@code null} for plaintext links (a trusted network
 *     only); every runtime of a cluster must choose the same
 */
public record ClusterOptions(List<String> endpoints, String runtime, String host, int port, Duration leaseTtl,
                             int window, String prefix, LinkTls tls) {
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
    public static final int DEFAULT_WINDOW = 1024;

    public ClusterOptions {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one etcd endpoint");
        }
        Objects.requireNonNull(runtime, "runtime");
        if (runtime.isBlank() || runtime.contains("/") || runtime.contains("\t")) {
            throw new IllegalArgumentException("runtime name '" + runtime + "' must be non-blank, without '/' or tabs");
        }
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port (0 picks a free one)");
        }
        if (leaseTtl.toSeconds() < 2) {
            throw new IllegalArgumentException("lease TTL " + leaseTtl + " is too short: etcd leases count whole "
                    + "seconds, and keepalives need a margin; use 2 s or more");
        }
        if (window < 1) {
            throw new IllegalArgumentException("window " + window + " must be at least 1 message");
        }
        Objects.requireNonNull(prefix, "prefix");
    }

    /** Options with the defaults: loopback, any port, a 10 s lease, a window of 1024 messages, plaintext links. */
    public static ClusterOptions of(String runtime, String... endpoints) {
        return new ClusterOptions(List.of(endpoints), runtime, "127.0.0.1", 0, DEFAULT_LEASE_TTL, DEFAULT_WINDOW,
                "weft/cluster/", null);
    }

    public ClusterOptions withHost(String host) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix, tls);
    }

    public ClusterOptions withPort(int port) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix, tls);
    }

    public ClusterOptions withLeaseTtl(Duration leaseTtl) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix, tls);
    }

    public ClusterOptions withWindow(int window) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix, tls);
    }

    public ClusterOptions withPrefix(String prefix) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix, tls);
    }

    /** Links speak mutual TLS with {@code tls}; see {@link LinkTls}. */
    public ClusterOptions withTls(LinkTls tls) {
        return new ClusterOptions(endpoints, runtime, host, port, leaseTtl, window, prefix,
                Objects.requireNonNull(tls, "tls"));
    }
}
