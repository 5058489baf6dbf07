package dev.weft.kvs;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Whom a {@link KvsServer} serves, decided for each connection from the address of its peer, before
 * a byte of it is read. A client on the server's own host (loopback) is always served, as before. A
 * client on another host is refused with an error frame:
 *
 * <ul>
 *   <li>when the server has no token (<em>protected mode</em>, as Redis has it): without a token,
 *       anyone who reaches the port could read and write every namespace;
 *   <li>when the server has a token but no TLS: the client's token would cross the network in clear
 *       text.
 * </ul>
 *
 * <p>{@code insecure} turns both refusals off. Bound to loopback, every peer is on loopback and
 * nothing changes.
 */
final class KvsAdmission {
    /** What a client on another host hears from a server without a token. */
    static final String NO_TOKEN = "this server has no token; set one or start it with --insecure";
    /** What a client on another host hears from a server with a token but no TLS. */
    static final String TOKEN_IN_CLEAR = "this server takes its token from other hosts only over TLS (it would "
            + "cross the network in clear text); start the server with TLS, or on a trusted network with --insecure";

    private final boolean hasToken;
    private final boolean hasTls;
    private final boolean insecure;

    KvsAdmission(KvsServerOptions options) {
        this.hasToken = options.token() != null || !options.users().isEmpty();
        this.hasTls = options.tls() != null;
        this.insecure = options.insecure();
    }

    /** Returns why a client at {@code peer} is refused at once, or null if it is served. */
    String refusal(InetAddress peer) {
        if (insecure || peer.isLoopbackAddress()) {
            return null;
        }
        if (!hasToken) {
            return NO_TOKEN + " (without a token it serves only clients on its own host)";
        }
        return hasTls ? null : TOKEN_IN_CLEAR;
    }

    /** Returns the one warning to log when a server bound to {@code bound} starts, or null for none. */
    String startWarning(InetSocketAddress bound) {
        if (bound.getAddress().isLoopbackAddress()) {
            return null;
        }
        String where = "the KVS server on " + bound.getAddress().getHostAddress() + ":" + bound.getPort();
        if (insecure) {
            if (!hasToken) {
                return where + " is insecure: it has no token, so anyone who can reach it may read and write every "
                        + "namespace";
            }
            return hasTls ? where + " was started with --insecure, which changes nothing here: it has a token and TLS"
                    : where + " is insecure: its clients' token crosses the network in clear text (no TLS)";
        }
        if (!hasToken) {
            return where + " has no token, so it serves only clients on this host and refuses the rest (protected "
                    + "mode); set a token (--token, $WEFT_KVS_TOKEN), or on a trusted network start it with --insecure";
        }
        return hasTls ? null : where + " has a token but no TLS, so it refuses clients on other hosts (their token "
                + "would cross the network in clear text); give it TLS (--tls-cert/--tls-key), or on a trusted network "
                + "start it with --insecure";
    }
}
