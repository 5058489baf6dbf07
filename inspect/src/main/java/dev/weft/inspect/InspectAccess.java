package dev.weft.inspect;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Who may read an inspector's data ({@code /api/graph}, {@code /api/events}, {@code /metrics}).
 * The page and its scripts hold no data and are served to anyone who reaches the port.
 *
 * <ul>
 *   <li>{@link #protectedMode()} (the default): no token; clients on loopback are served, all others
 *       refused with 403. Bound to loopback, that is everyone who can connect.
 *   <li>{@link #token(String)}: every client presents the token, as {@code Authorization: Bearer
 *       <token>} or as {@code ?token=<token>} in the URL (the page passes on the one it was opened
 *       with); others get 401.
 *   <li>{@link #insecure()}: every client that reaches the port is served.
 * </ul>
 *
 * <p>Bound beyond loopback, the server logs one warning at start in protected and insecure mode.
 */
public final class InspectAccess {
    private static final InspectAccess PROTECTED = new InspectAccess(null, false);
    private static final InspectAccess INSECURE = new InspectAccess(null, true);

    /** SHA-256 of the token, or null without one; compared in constant time, whatever the lengths. */
    private final byte[] tokenDigest;
    private final boolean insecure;

    /** Whether a client may read the data, and if not, the HTTP status and text that say why. */
    record Verdict(int status, String refusal) {
        static final Verdict ADMITTED = new Verdict(200, null);

        boolean admitted() {
            return refusal == null;
        }
    }

    private InspectAccess(byte[] tokenDigest, boolean insecure) {
        this.tokenDigest = tokenDigest;
        this.insecure = insecure;
    }

    /** No token: serves clients on loopback and refuses the rest (the default). */
    public static InspectAccess protectedMode() {
        return PROTECTED;
    }

    /**
     * Serves only clients that present {@code token}: visible ASCII, no spaces (it travels in a
     * header and a URL). Over plain HTTP it travels in clear text, so beyond loopback use it on a
     * network you trust, or behind a TLS proxy.
     *
     * @throws IllegalArgumentException if {@code token} is empty or holds a space or control character
     */
    public static InspectAccess token(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("an inspector token must be visible ASCII without spaces (it travels "
                    + "in an Authorization header and a URL); got " + token.length() + " characters that are not");
        }
        return new InspectAccess(digest(token), false);
    }

    /** Serves every client that reaches the port, with no token: only for a network you trust. */
    public static InspectAccess insecure() {
        return INSECURE;
    }

    /** Decides whether a client at {@code peer} that presented the token {@code presented} (or null) may read. */
    Verdict admit(InetAddress peer, String presented) {
        if (tokenDigest != null) {
            if (presented == null) {
                return new Verdict(401, "this inspector needs a token: send 'Authorization: Bearer <token>', "
                        + "or open the page as /?token=<token>\n");
            }
            return MessageDigest.isEqual(tokenDigest, digest(presented))
                    ? Verdict.ADMITTED : new Verdict(401, "wrong token for this inspector\n");
        }
        if (insecure || peer.isLoopbackAddress()) {
            return Verdict.ADMITTED;
        }
        return new Verdict(403, "this inspector has no token, so it answers only clients on its own host (loopback); "
                + "start it with a token (InspectAccess.token, or --inspect-token / $WEFT_INSPECT_TOKEN), "
                + "or on a trusted network with InspectAccess.insecure() (--inspect-insecure)\n");
    }

    /** Returns the warning to log when a server bound to {@code bound} starts, or null for none. */
    String startWarning(InetSocketAddress bound) {
        if (tokenDigest != null || bound.getAddress().isLoopbackAddress()) {
            return null;
        }
        String where = bound.getAddress().getHostAddress() + ":" + bound.getPort();
        if (insecure) {
            return "the inspector on " + where + " is insecure: it serves the component graph and "
                    + "metrics to anyone who can reach it, with no token";
        }
        return "the inspector on " + where + " has no token: it answers only clients on this host "
                + "and refuses the rest; give it a token (InspectAccess.token, --inspect-token), or on a trusted "
                + "network make it insecure (InspectAccess.insecure(), --inspect-insecure)";
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return tokenDigest != null ? "InspectAccess[token]" : insecure ? "InspectAccess[insecure]"
                : "InspectAccess[protected mode]";
    }
}
