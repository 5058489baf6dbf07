package dev.weft.inspect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the runtime's meters in Prometheus text format.
 *
 * <p>The runtime's registry is used as it is when it is a {@link PrometheusMeterRegistry}. A
 * {@link CompositeMeterRegistry} gets a Prometheus registry added (it receives every meter, old and
 * new) unless it already holds one. Any other registry cannot be scraped: the page answers 503 and
 * says how to start the runtime.
 */
final class MetricsHandler implements HttpHandler {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry prometheus;
    private final String unavailable;

    MetricsHandler(MeterRegistry registry) {
        this.prometheus = prometheusOf(registry);
        this.unavailable = "the runtime's meter registry is a " + registry.getClass().getSimpleName()
                + ", which cannot be scraped; start the runtime with Weft.builder().meterRegistry(...) given a "
                + "PrometheusMeterRegistry or a CompositeMeterRegistry\n";
    }

    static PrometheusMeterRegistry prometheusOf(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry child : composite.getRegistries()) {
                if (child instanceof PrometheusMeterRegistry p) {
                    return p;
                }
            }
            PrometheusMeterRegistry added = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            composite.add(added);
            return added;
        }
        return null;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (prometheus == null) {
            Http.sendText(exchange, 503, unavailable);
            return;
        }
        Http.send(exchange, 200, CONTENT_TYPE, prometheus.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
