package dev.weft.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.weft.runtime.Weft;
import dev.weft.runtime.inspect.GraphEvent;
import dev.weft.runtime.inspect.GraphListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /api/events}: the runtime's {@link GraphEvent}s as Server-Sent Events, one
 * {@code event: Spawned|Ended|LinkChanged} with a JSON {@code data:} line each.
 *
 * <p>The listener only offers to a bounded queue, so the runtime never waits for a slow client. A
 * client that falls {@value #BACKLOG} events behind gets {@code event: overflow} and the stream
 * ends; it should re-read {@code /api/graph} (an {@code EventSource} reconnects by itself).
 */
final class EventsHandler implements HttpHandler {
    static final int BACKLOG = 1024;
    private static final long KEEP_ALIVE_SECONDS = 15;

    private final Weft weft;
    private final ObjectMapper json;

    EventsHandler(Weft weft, ObjectMapper json) {
        this.weft = weft;
        this.json = json;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        BlockingQueue<GraphEvent> queue = new ArrayBlockingQueue<>(BACKLOG);
        AtomicBoolean overflowed = new AtomicBoolean();
        GraphListener listener = event -> {
            if (!queue.offer(event)) {
                overflowed.set(true);
            }
        };
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        weft.addGraphListener(listener);
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, ": weft graph events\n\n");
            for (;;) {
                GraphEvent event = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (overflowed.get()) {
                    write(out, "event: overflow\ndata: {}\n\n");
                    return;
                }
                if (event == null) {
                    write(out, ": keep-alive\n\n");
                } else {
                    write(out, "event: " + event.getClass().getSimpleName() + "\ndata: "
                            + json.writeValueAsString(event) + "\n\n");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            weft.removeGraphListener(listener);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
