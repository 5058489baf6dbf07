package dev.weft.kvs.etcd;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How an {@link EtcdKvs} reaches etcd and where in etcd's key space it keeps its data. Start from
 * {@link #of(String...)} and adjust with the {@code with...} methods.
 *
 * @param endpoints the cluster's client URLs ({@code http://127.0.0.1:2379}, ...)
 * @param prefix every key of this store starts with it, so several stores (or other users) can share
 *     one cluster
 * @param callTimeout how long a call waits for etcd before it throws
 *     {@link dev.weft.kvs.OutcomeUnknownException} (unless the namespace was given its own)
 * @param watchBuffer how many etcd watch responses a watch buffers for a slow watcher before it ends
 *     with {@code OVERFLOWED}
 * @param owner the owner of the {@code primary} namespace when this store creates it
 */
public record EtcdKvsOptions(List<URI> endpoints, String prefix, Duration callTimeout, int watchBuffer, String owner) {
    /** The default key prefix. */
    public static final String DEFAULT_PREFIX = "weft/kvs/";

    public EtcdKvsOptions {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(owner, "owner");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("name at least one etcd endpoint");
        }
        if (callTimeout.isNegative() || callTimeout.isZero() || watchBuffer < 1) {
            throw new IllegalArgumentException("callTimeout and watchBuffer must be positive");
        }
    }

    /** Options for the cluster at {@code endpoints} ({@code host:port} or URLs), with the defaults. */
    public static EtcdKvsOptions of(String... endpoints) {
        return new EtcdKvsOptions(java.util.Arrays.stream(endpoints)
                .map(e -> URI.create(e.contains("://") ? e : "http://" + e)).toList(),
                DEFAULT_PREFIX, Duration.ofSeconds(30), 1024, "weft");
    }

    public EtcdKvsOptions withPrefix(String p) {
        return new EtcdKvsOptions(endpoints, p, callTimeout, watchBuffer, owner);
    }

    public EtcdKvsOptions withCallTimeout(Duration timeout) {
        return new EtcdKvsOptions(endpoints, prefix, timeout, watchBuffer, owner);
    }

    public EtcdKvsOptions withWatchBuffer(int responses) {
        return new EtcdKvsOptions(endpoints, prefix, callTimeout, responses, owner);
    }

    public EtcdKvsOptions withOwner(String principal) {
        return new EtcdKvsOptions(endpoints, prefix, callTimeout, watchBuffer, principal);
    }
}
