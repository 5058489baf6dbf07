package dev.weft.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Weft;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InspectServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();

    static final class Producer extends Component {
        final Outbox<String> outbox = outbox(String.class);

        Producer() {
            super("producer");
        }

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    static final class Consumer extends Component {
        final Inbox<String> inbox = inbox(String.class);

        Consumer(String name) {
            super(name);
        }

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    private HttpResponse<String> get(InspectServer server, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(TIMEOUT).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(InspectServer server, String path, String authorization) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(TIMEOUT)
                .header("Authorization", authorization).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void graphEndpointServesTheSnapshotAsJson() throws Exception {
        try (Weft weft = Weft.start()) {
            Producer producer = new Producer();
            Consumer consumer = weft.spawn(new Consumer("consumer"));
            weft.link(producer.outbox, consumer.inbox);
            weft.spawn(producer);
            weft.services().register(ServiceKey.of("test.consumer", String.class), consumer.inbox);
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));

            HttpResponse<String> response = get(server, "/api/graph");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode graph = json.readTree(response.body()).get("graph");
            List<String> names = new ArrayList<>();
            graph.get("components").forEach(c -> names.add(c.get("name").asText()));
            assertThat(names).containsExactlyInAnyOrder("producer", "consumer", "inspector");
            JsonNode link = null;
            for (JsonNode l : graph.get("links")) {
                if (l.get("from").get("box").asText().equals("outbox")) {
                    link = l;
                }
            }
            assertThat(link).as("the producer's link in %s", graph.get("links")).isNotNull();
            assertThat(link.get("kind").asText()).isEqualTo("LINK");
            assertThat(link.get("to").get("box").asText()).isEqualTo("inbox");
            assertThat(graph.get("services").get(0).get("name").asText()).isEqualTo("test.consumer");
            assertThat(json.readTree(response.body()).get("rates").isObject()).isTrue();
        }
    }

    @Test
    void metricsEndpointServesPrometheusText() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Weft weft = Weft.builder().meterRegistry(registry).start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));

            HttpResponse<String> response = get(server, "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsHandler.CONTENT_TYPE);
            assertThat(response.body()).contains("weft_components_live 1.0", "weft_messages_sent_total");
        }
    }

    @Test
    void metricsEndpointAddsPrometheusToACompositeRegistry() throws Exception {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        try (Weft weft = Weft.builder().meterRegistry(composite).start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));

            HttpResponse<String> response = get(server, "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).as("meters registered before the inspector started")
                    .contains("weft_components_spawned_total 1.0");
        }
    }

    @Test
    void metricsEndpointSaysHowToFixARegistryItCannotScrape() throws Exception {
        try (Weft weft = Weft.start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));

            HttpResponse<String> response = get(server, "/metrics");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("SimpleMeterRegistry", "PrometheusMeterRegistry");
        }
    }

    @Test
    void eventsEndpointStreamsGraphChanges() throws Exception {
        try (Weft weft = Weft.start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));
            HttpRequest request = HttpRequest.newBuilder(server.uri().resolve("/api/events")).build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("closed: " + e);
                }
            });
            assertThat(lines.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("the stream opens with a comment, so the listener is registered")
                    .startsWith(":");

            weft.spawn(new Consumer("newcomer"));

            String event = null;
            String data = null;
            for (String line; (line = lines.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) != null; ) {
                if (line.startsWith("event: ")) {
                    event = line;
                } else if (line.startsWith("data: ") && line.contains("newcomer")) {
                    data = line;
                    break;
                }
            }
            assertThat(event).isEqualTo("event: Spawned");
            assertThat(json.readTree(data.substring("data: ".length())).get("name").asText()).isEqualTo("newcomer");
            response.body().close();
            reader.interrupt();
        }
    }

    @Test
    void pageAndCytoscapeAreServedFromTheClasspath() throws Exception {
        try (Weft weft = Weft.start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));

            HttpResponse<String> page = get(server, "/");
            HttpResponse<String> library = get(server, "/lib/cytoscape.min.js");
            HttpResponse<String> script = get(server, "/inspect.js");

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("lib/cytoscape.min.js", "inspect.js").doesNotContain("https://");
            assertThat(library.statusCode()).isEqualTo(200);
            assertThat(library.body()).contains("cytoscape");
            assertThat(script.body()).contains("window.cy");
            assertThat(get(server, "/nothing-here").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        try (Weft weft = Weft.start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));
            HttpRequest post = HttpRequest.newBuilder(server.uri().resolve("/api/graph"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(TIMEOUT).build();

            HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void aTakenPortGivesAClearError() throws Exception {
        try (Weft weft = Weft.start(); ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> InspectServer.start(weft, InspectServer.loopback(taken.getLocalPort())))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot serve the inspector on")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
            assertThat(weft.liveComponents()).as("no inspector component is left behind").isZero();
        }
    }

    @Test
    void theServerStopsWhenTheRuntimeCloses() throws Exception {
        URI uri;
        try (Weft weft = Weft.start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0));
            uri = server.uri();
            assertThat(get(server, "/api/graph").statusCode()).isEqualTo(200);
        }
        HttpRequest request = HttpRequest.newBuilder(uri.resolve("/api/graph")).timeout(TIMEOUT).build();
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void withATokenTheDataNeedsItAsBearerOrQueryButThePageDoesNot() throws Exception {
        String token = "s3cret-t0ken/+=";
        try (Weft weft = Weft.builder().meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
            InspectServer server = InspectServer.start(weft, InspectServer.loopback(0), InspectAccess.token(token));
            String query = "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);

            for (String data : List.of("/api/graph", "/metrics")) {
                HttpResponse<String> without = get(server, data);
                assertThat(without.statusCode()).as("%s without the token", data).isEqualTo(401);
                assertThat(without.headers().firstValue("WWW-Authenticate"))
                        .hasValue("Bearer realm=\"weft-inspector\"");
                assertThat(without.body()).contains("needs a token");
                assertThat(get(server, data, "Bearer wrong").statusCode()).as("%s with a wrong token", data)
                        .isEqualTo(401);
                assertThat(get(server, data, "Bearer " + token).statusCode()).as("%s with the bearer", data)
                        .isEqualTo(200);
                assertThat(get(server, data + query).statusCode()).as("%s with ?token=", data).isEqualTo(200);
            }
            HttpRequest events = HttpRequest.newBuilder(server.uri().resolve("/api/events" + query)).build();
            HttpResponse<InputStream> stream = client.send(events, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).as("the event stream with ?token=").isEqualTo(200);
            stream.body().close();
            assertThat(get(server, "/api/events").statusCode()).as("the event stream without").isEqualTo(401);
            for (String asset : List.of("/", "/inspect.js", "/inspect.css", "/lib/cytoscape.min.js")) {
                assertThat(get(server, asset).statusCode()).as("%s holds no data", asset).isEqualTo(200);
            }
        }
    }
}
