package dev.weft.kvs;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a {@link KvsServer} listens and what it accepts. Start from {@link #loopback(int)} and adjust
 * with the {@code with...} methods.
 *
 * @param address where to listen; loopback unless configured otherwise
 * @param token the shared secret a client must present in its first frame, or {@code null} for none
 * @param maxFrameBytes the largest frame body a client may send; a larger one closes its connection
 * @param maxInFlight how many commits, waits and namespace changes one connection may have
 *     outstanding; beyond that the server stops reading its requests until some complete
 * @param maxWatches how many watches one connection may hold open
 * @param watchBuffer the events each network watch buffers while its client is slow (then it
 *     overflows)
 * @param users each user's token: a client that presents it is that user, and may use only the
 *     namespaces it owns (see {@link #withUser}); {@code token} is the store owner's
 */
public record KvsServerOptions(InetSocketAddress address, String token, int maxFrameBytes, int maxInFlight,
        int maxWatches, int watchBuffer, Map<String, String> users) {
    /** The default frame limit: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;

    public KvsServerOptions {
        Objects.requireNonNull(address, "address");
        if (maxFrameBytes < Wire.MIN_BODY || maxInFlight < 1 || maxWatches < 1 || watchBuffer < 1) {
            throw new IllegalArgumentException("maxFrameBytes, maxInFlight, maxWatches and watchBuffer must be positive");
        }
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("an empty token would authenticate anyone; use null for no token");
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

    /** Listens on the loopback interface at {@code port} (0 picks a free one), with no token. */
    public static KvsServerOptions loopback(int port) {
        return new KvsServerOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null,
                DEFAULT_MAX_FRAME_BYTES, 4096, 256, Kvs.DEFAULT_WATCH_BUFFER, Map.of());
    }

    public KvsServerOptions withAddress(InetSocketAddress a) {
        return new KvsServerOptions(a, token, maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withToken(String secret) {
        return new KvsServerOptions(address, secret, maxFrameBytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxFrameBytes(int bytes) {
        return new KvsServerOptions(address, token, bytes, maxInFlight, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxInFlight(int requests) {
        return new KvsServerOptions(address, token, maxFrameBytes, requests, maxWatches, watchBuffer, users);
    }

    public KvsServerOptions withMaxWatches(int watches) {
        return new KvsServerOptions(address, token, maxFrameBytes, maxInFlight, watches, watchBuffer, users);
    }

    public KvsServerOptions withWatchBuffer(int events) {
        return new KvsServerOptions(address, token, maxFrameBytes, maxInFlight, maxWatches, events, users);
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
        return new KvsServerOptions(address, token, maxFrameBytes, maxInFlight, maxWatches, watchBuffer, more);
    }

    @Override
    public String toString() {
        return "KvsServerOptions[address=" + address + ", token=" + (token == null ? "none" : "***")
                + ", maxFrameBytes=" + maxFrameBytes + ", maxInFlight=" + maxInFlight + ", maxWatches="
                + maxWatches + ", watchBuffer=" + watchBuffer + ", users=" + new TreeMap<>(users).keySet() + "]";
    }
}
