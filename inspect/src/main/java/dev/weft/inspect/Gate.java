package dev.weft.inspect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Serves a data endpoint only to the clients its {@link InspectAccess} admits; answers the others
 * with the verdict's status and text. The token is read from {@code Authorization: Bearer <token>},
 * else from the query's {@code token} parameter (an {@code EventSource} cannot send headers).
 */
final class Gate {
    private static final System.Logger LOG = System.getLogger(Gate.class.getName());
    private static final String BEARER = "Bearer ";
    private static final String TOKEN_PARAMETER = "token=";

    private final InspectAccess access;

    Gate(InspectAccess access) {
        this.access = access;
    }

    HttpHandler guard(HttpHandler handler) {
        return exchange -> {
            InspectAccess.Verdict verdict = access.admit(exchange.getRemoteAddress().getAddress(), presentedToken(
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestURI().getRawQuery()));
            if (verdict.admitted()) {
                handler.handle(exchange);
                return;
            }
            LOG.log(Level.DEBUG, "inspector refused {0} from {1}: {2}", exchange.getRequestURI().getPath(),
                    exchange.getRemoteAddress(), verdict.status());
            if (verdict.status() == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"weft-inspector\"");
            }
            Http.sendText(exchange, verdict.status(), verdict.refusal());
        };
    }

    /** Returns the bearer token of {@code authorization}, else the {@code token} in {@code rawQuery}, else null. */
    static String presentedToken(String authorization, String rawQuery) {
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return authorization.substring(BEARER.length()).strip();
        }
        if (rawQuery == null) {
            return null;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.startsWith(TOKEN_PARAMETER)) {
                String value = parameter.substring(TOKEN_PARAMETER.length());
                try {
                    return URLDecoder.decode(value, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException malformedEscape) {
                    return value;
                }
            }
        }
        return null;
    }
}
