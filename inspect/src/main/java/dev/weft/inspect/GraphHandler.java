package dev.weft.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.weft.runtime.Weft;
import dev.weft.runtime.inspect.BoxRef;
import dev.weft.runtime.inspect.GraphSnapshot;
import dev.weft.runtime.inspect.InboxRates;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** {@code GET /api/graph}: the runtime's snapshot and each inbox's receive rate, as JSON. */
final class GraphHandler implements HttpHandler {
    /** The JSON document: the snapshot, and rates keyed by {@code "<component id>/<inbox name>"}. */
    record GraphDocument(GraphSnapshot graph, Map<String, Double> rates) {
    }

    private static final long RATE_INTERVAL_MILLIS = 500;

    private final Weft weft;
    private final ObjectMapper json;
    private final InboxRates rates = new InboxRates(RATE_INTERVAL_MILLIS);

    GraphHandler(Weft weft, ObjectMapper json) {
        this.weft = weft;
        this.json = json;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        GraphSnapshot snapshot = weft.snapshot();
        Map<String, Double> byKey = new TreeMap<>();
        for (Map.Entry<BoxRef, Double> e : rates.update(snapshot).entrySet()) {
            byKey.put(e.getKey().toString(), e.getValue());
        }
        Http.send(exchange, 200, "application/json", json.writeValueAsBytes(new GraphDocument(snapshot, byKey)));
    }
}
