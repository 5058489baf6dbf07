package dev.weft.inspect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/** Small helpers shared by the handlers: method checks, plain responses, and a guard for failures. */
final class Http {
    private static final System.Logger LOG = System.getLogger(Http.class.getName());

    private Http() {
    }

    /** Wraps {@code handler} so that a failure answers 500 and is logged, and the exchange always closes. */
    static HttpHandler guarded(HttpHandler handler) {
        return exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    sendText(exchange, 405, "only GET and HEAD are served here\n");
                    return;
                }
                handler.handle(exchange);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "client went away during " + exchange.getRequestURI(), e);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "inspector failed to serve " + exchange.getRequestURI(), e);
                trySendText(exchange, 500, "inspector error: " + e + "\n");
            }
        };
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void trySendText(HttpExchange exchange, int status, String text) {
        try {
            sendText(exchange, status, text);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not report the failure; headers were already sent", e);
        }
    }
}
