package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the inspector page in real headless Chromium against a running {@code inspect-demo}
 * (a separate JVM, as a user would start it): the graph's nodes and edges appear, the boxes drawn
 * match the parents {@code /api/graph} reports, and a worker added through the example's standard
 * input appears without a reload.
 */
class InspectorPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration UPDATE = Duration.ofSeconds(30);
    private static final Pattern ADDRESS = Pattern.compile("Inspector: (http://\\S+)");
    private static final String LAST_ERROR = "return window.weftInspector && window.weftInspector.lastError";
    /** How far, in model pixels, an outline may cross a box's edge by rounding. */
    private static final double EPSILON = 0.5;

    /**
     * Every component's node (not a composite's self node) as {@code name<TAB>parent name}, and
     * every edge as {@code KIND source.box->target.box}.
     */
    private static final String NODES = "return cy.nodes('[componentId]').filter(n => !n.data('self'))"
            + ".map(n => n.data('name') + '\\t' + (n.parent().nonempty() ? n.parent().data('name') : ''))";
    private static final String EDGES = "return cy.edges().map(e => e.data('kind') + ' ' + e.source().data('name') "
            + "+ '.' + (e.data('fromBox') || '') + '->' + e.target().data('name') + '.' + (e.data('toBox') || ''))";

    @TempDir
    Path profile;

    private Process example;
    private final BlockingQueue<String> exampleOutput = new LinkedBlockingQueue<>();
    private ChromeDriver browser;

    @BeforeEach
    void requireChromium() {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("this test drives real headless Chromium: install it with "
                        + "'apt-get install -y chromium chromium-driver' (CI's .ci/run does) so that "
                        + CHROMIUM + " and " + CHROMEDRIVER + " exist")
                .isTrue();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        http.close();
        if (example != null && example.isAlive()) {
            example.destroy();
            if (!example.waitFor(20, TimeUnit.SECONDS)) {
                example.destroyForcibly();
            }
        }
    }

    @Test
    void pageDrawsTheRunningGraphAndShowsAWorkerAddedLater() throws Exception {
        String address = startExample("run", "inspect-demo", "--inspect-port", "0", "--workers", "2");
        browser = startBrowser();

        browser.get(address);

        List<String> nodes = waitFor(UPDATE, NODES, n -> n.containsAll(List.of(
                "ticker\t", "pool\t", "collector\t", "inspector\t", "worker-1\tpool", "worker-2\tpool")));
        assertThat(nodes).as("workers are drawn inside their parent, the pool").contains("worker-1\tpool");
        waitFor(UPDATE, EDGES, e -> e.containsAll(List.of(
                "LINK ticker.outbox->pool.jobs",
                "DELIVERY pool.*->worker-1.inbox",
                "DELIVERY pool.*->worker-2.inbox",
                "LINK worker-1.outbox->collector.inbox",
                "LINK worker-2.outbox->collector.inbox",
                "SERVICE demo.results.->collector.inbox")));
        Pattern jobsLabel = Pattern.compile("outbox→jobs\\n\\d+/64 [\\d.]+/s");
        List<String> labels = waitFor(UPDATE, "return cy.edges().map(e => e.data('label'))",
                l -> l.stream().anyMatch(label -> jobsLabel.matcher(label).matches()));
        assertThat(labels).as("the ticker's link shows the pool's inbox depth/capacity and its rate")
                .anyMatch(label -> jobsLabel.matcher(label).matches());
        assertDrawingMatchesTheGraph(address, null);

        addWorkerThroughStandardInput();

        waitFor(UPDATE, NODES, n -> n.contains("worker-3\tpool"));
        waitFor(UPDATE, EDGES, e -> e.containsAll(List.of(
                "DELIVERY pool.*->worker-3.inbox", "LINK worker-3.outbox->collector.inbox")));
        assertDrawingMatchesTheGraph(address, null);
        long refreshes = ((Number) ((JavascriptExecutor) browser)
                .executeScript("return window.weftInspector.refreshes")).longValue();
        assertThat(refreshes).as("the page updated itself without a reload").isGreaterThan(1);
        assertThat((Object) ((JavascriptExecutor) browser).executeScript(LAST_ERROR))
                .isNull();
    }

    @Test
    void pageOpenedWithATokenUsesItForTheDataAndSaysWhatIsMissingWithout() throws Exception {
        String token = "page-t0ken-" + Long.toHexString(System.nanoTime());
        String address = startExample("run", "inspect-demo", "--inspect-port", "0", "--workers", "1",
                "--inspect-token", token);
        browser = startBrowser();

        browser.get(address);
        Object refused = new WebDriverWait(browser, UPDATE, Duration.ofMillis(200)).until(driver ->
                ((JavascriptExecutor) driver).executeScript(LAST_ERROR));
        assertThat(String.valueOf(refused)).as("the page opened without the token says what is missing")
                .contains("HTTP 401", "needs a token");

        browser.get(address + "?token=" + token);
        waitFor(UPDATE, NODES, n -> n.containsAll(List.of("ticker\t", "pool\t", "collector\t", "worker-1\tpool")));
        Boolean eventsOpen = new WebDriverWait(browser, UPDATE, Duration.ofMillis(200)).until(driver -> (Boolean)
                ((JavascriptExecutor) driver).executeScript("return window.weftInspector.eventsOpen || null"));
        assertThat(eventsOpen).as("the event stream opened with the token").isTrue();
        assertThat((Object) ((JavascriptExecutor) browser).executeScript(LAST_ERROR))
                .isNull();
        assertDrawingMatchesTheGraph(address, token);
    }

    /**
     * Checks the drawing against {@code /api/graph}: every live component is drawn once, inside the
     * box of its parent and of no other component; no node overlaps a box it is not in; an edge
     * between two things in one box, its label included, lies inside that box; and a box's own
     * label lies inside it. Waits until the page shows the graph's components first.
     */
    private void assertDrawingMatchesTheGraph(String address, String token) {
        JsonNode[] last = new JsonNode[2];
        try {
            new WebDriverWait(browser, UPDATE, Duration.ofMillis(200)).until(driver -> {
                last[0] = tree(fetch(address + "api/graph", token)).get("graph");
                last[1] = tree((String) ((JavascriptExecutor) driver).executeScript(DRAWING));
                return componentIds(last[0]).equals(drawnComponents(last[1]).keySet());
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page did not draw the components of /api/graph within " + UPDATE
                    + "; /api/graph: " + last[0] + "\nthe page: " + last[1], e);
        }
        JsonNode graph = last[0];
        JsonNode drawing = last[1];
        Map<Long, JsonNode> drawn = drawnComponents(drawing);

        Map<String, JsonNode> nodes = new HashMap<>();
        drawing.get("nodes").forEach(n -> nodes.put(n.get("id").asText(), n));
        List<String> wrong = new ArrayList<>();
        Set<Long> live = componentIds(graph);
        for (JsonNode c : graph.get("components")) {
            JsonNode node = drawn.get(c.get("id").asLong());
            Long parent = c.get("parent").isNull() || !live.contains(c.get("parent").asLong())
                    ? null : c.get("parent").asLong();
            JsonNode box = node.get("boxes").isEmpty() ? null : nodes.get(node.get("boxes").get(0).asText());
            Long drawnParent = box == null ? null : box.get("component").asLong();
            if (!Objects.equals(parent, drawnParent)) {
                wrong.add(c.get("name").asText() + " has parent " + name(graph, parent) + " in /api/graph but is "
                        + "drawn in the box of " + name(graph, drawnParent));
            }
        }
        for (JsonNode n : nodes.values()) {
            Set<String> in = new HashSet<>();
            n.get("boxes").forEach(b -> in.add(b.asText()));
            for (JsonNode b : nodes.values()) {
                if (!b.get("isBox").asBoolean() || b == n || isAncestor(n, b)) {
                    continue;
                }
                if (in.contains(b.get("id").asText()) && !inside(n.get("outline"), b.get("body"))) {
                    wrong.add(describe(n) + " sticks out of the box of " + describe(b) + ": " + n.get("outline")
                            + " is not inside " + b.get("body"));
                } else if (!in.contains(b.get("id").asText()) && overlap(n.get("outline"), b.get("body"))) {
                    wrong.add(describe(n) + " is drawn over the box of " + describe(b) + ", which /api/graph does not "
                            + "put it in: " + n.get("outline") + " overlaps " + b.get("body"));
                }
            }
            if (n.get("isBox").asBoolean() && !inside(n.get("outline"), n.get("body"))) {
                wrong.add("the label of the box of " + describe(n) + " lies outside it: " + n.get("outline")
                        + " is not inside " + n.get("body"));
            }
        }
        for (JsonNode e : drawing.get("edges")) {
            JsonNode box = innermostCommonBox(nodes.get(e.get("source").asText()),
                    nodes.get(e.get("target").asText()), nodes);
            if (box != null && !inside(e.get("outline"), box.get("body"))) {
                wrong.add("edge " + e.get("id").asText() + " (label " + e.get("label") + ") runs between two ends in "
                        + "the box of " + describe(box) + " but sticks out of it: " + e.get("outline")
                        + " is not inside " + box.get("body"));
            }
        }
        assertThat(wrong).as("the drawing disagrees with /api/graph").isEmpty();
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    private String fetch(String uri, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(UPDATE);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during GET " + uri, e);
        }
        assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(200);
        return response.body();
    }

    private static Set<Long> componentIds(JsonNode graph) {
        Set<Long> ids = new HashSet<>();
        graph.get("components").forEach(c -> ids.add(c.get("id").asLong()));
        return ids;
    }

    /** The node that draws each component (a composite's box, not its self node). */
    private static Map<Long, JsonNode> drawnComponents(JsonNode drawing) {
        Map<Long, JsonNode> drawn = new HashMap<>();
        drawing.get("nodes").forEach(n -> {
            if (!n.get("component").isNull() && !n.get("self").asBoolean()) {
                drawn.put(n.get("component").asLong(), n);
            }
        });
        return drawn;
    }

    private static String name(JsonNode graph, Long id) {
        if (id == null) {
            return "none";
        }
        for (JsonNode c : graph.get("components")) {
            if (c.get("id").asLong() == id) {
                return c.get("name").asText();
            }
        }
        return "#" + id;
    }

    private static String describe(JsonNode node) {
        return (node.get("self").asBoolean() ? "the self node of " : "") + node.get("name").asText();
    }

    /** Whether {@code node} lies in the box {@code ancestor}, however deep. */
    private static boolean isAncestor(JsonNode ancestor, JsonNode node) {
        for (JsonNode b : node.get("boxes")) {
            if (b.asText().equals(ancestor.get("id").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The innermost box that both ends are in, counting a box as in itself; null if none. */
    private static JsonNode innermostCommonBox(JsonNode a, JsonNode b, Map<String, JsonNode> nodes) {
        List<String> aBoxes = boxesOf(a);
        List<String> bBoxes = boxesOf(b);
        for (String box : aBoxes) {
            if (bBoxes.contains(box)) {
                return nodes.get(box);
            }
        }
        return null;
    }

    private static List<String> boxesOf(JsonNode node) {
        List<String> boxes = new ArrayList<>();
        if (node.get("isBox").asBoolean()) {
            boxes.add(node.get("id").asText());
        }
        node.get("boxes").forEach(b -> boxes.add(b.asText()));
        return boxes;
    }

    private static boolean inside(JsonNode inner, JsonNode outer) {
        return inner.get(0).asDouble() >= outer.get(0).asDouble() - EPSILON
                && inner.get(1).asDouble() >= outer.get(1).asDouble() - EPSILON
                && inner.get(2).asDouble() <= outer.get(2).asDouble() + EPSILON
                && inner.get(3).asDouble() <= outer.get(3).asDouble() + EPSILON;
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.get(0).asDouble() < b.get(2).asDouble() - EPSILON
                && b.get(0).asDouble() < a.get(2).asDouble() - EPSILON
                && a.get(1).asDouble() < b.get(3).asDouble() - EPSILON
                && b.get(1).asDouble() < a.get(3).asDouble() - EPSILON;
    }

    private String startExample(String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Launcher.class.getName()));
        command.addAll(List.of(args));
        example = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(example.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    exampleOutput.add(line);
                }
            } catch (IOException e) {
                exampleOutput.add("(output closed: " + e + ")");
            }
        });
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            String line = exampleOutput.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            Matcher m = ADDRESS.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("the example did not print its inspector address within " + STARTUP
                + "; it printed:\n" + seen);
    }

    private ChromeDriver startBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,800", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private void addWorkerThroughStandardInput() throws IOException {
        OutputStream in = example.getOutputStream();
        in.write('\n');
        in.flush();
    }

    @SuppressWarnings("unchecked")
    private List<String> script(String js) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(js);
    }

    /**
     * The drawing as JSON: each node with its component, its enclosing boxes (compound nodes, inner
     * first), its body and its outline with labels; each edge with its ends and its outline with
     * its label. Outlines are {@code [x1, y1, x2, y2]} in model coordinates.
     */
    private static final String DRAWING = """
            const box = (b) => [b.x1, b.y1, b.x2, b.y2];
            const boxesOf = (n) => {
              const out = [];
              for (let p = n.parent(); p.nonempty(); p = p.parent()) out.push(p.id());
              return out;
            };
            const outline = { includeLabels: true, includeOverlays: false, includeUnderlays: false };
            const body = { includeLabels: false, includeOverlays: false, includeUnderlays: false };
            return JSON.stringify({
              nodes: cy.nodes().map(n => ({ id: n.id(), name: n.data('name'),
                  component: n.data('componentId') === undefined ? null : n.data('componentId'),
                  self: !!n.data('self'), isBox: n.isParent(), boxes: boxesOf(n),
                  body: box(n.boundingBox(body)), outline: box(n.boundingBox(outline)) })),
              edges: cy.edges().map(e => ({ id: e.id(), source: e.source().id(), target: e.target().id(),
                  label: e.data('label'), outline: box(e.boundingBox(outline)) }))
            });
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(UPDATE).build();

    /** Polls the page (with a hard deadline) until {@code js}'s list satisfies {@code done}; returns it. */
    private List<String> waitFor(Duration timeout, String js, java.util.function.Predicate<List<String>> done) {
        List<String>[] last = new List[1];
        try {
            return new WebDriverWait(browser, timeout, Duration.ofMillis(200)).until(driver -> {
                Object ready = ((JavascriptExecutor) driver).executeScript("return window.cy !== undefined");
                if (!Boolean.TRUE.equals(ready)) {
                    return null;
                }
                last[0] = script(js);
                return done.test(last[0]) ? last[0] : null;
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page did not show what was expected within " + timeout + "; it shows "
                    + last[0] + "\nexample output: " + exampleOutput, e);
        }
    }
}
