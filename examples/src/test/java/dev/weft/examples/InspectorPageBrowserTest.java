package dev.weft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * (a separate JVM, as a user would start it): the graph's nodes and edges appear, and a worker
 * added through the example's standard input appears without a reload.
 */
class InspectorPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration UPDATE = Duration.ofSeconds(30);
    private static final Pattern ADDRESS = Pattern.compile("Inspector: (http://\\S+)");

    /** Every node as {@code name<TAB>parent name}, and every edge as {@code KIND source.box->target.box}. */
    private static final String NODES = "return cy.nodes().map(n => n.data('name') + '\\t' + "
            + "(n.parent().nonempty() ? n.parent().data('name') : ''))";
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
                "ticker\t", "pool\t", "collector\t", "inspector\t", "worker-1\tpool", "worker-2\tpool", "demo.results\t")));
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

        addWorkerThroughStandardInput();

        waitFor(UPDATE, NODES, n -> n.contains("worker-3\tpool"));
        waitFor(UPDATE, EDGES, e -> e.containsAll(List.of(
                "DELIVERY pool.*->worker-3.inbox", "LINK worker-3.outbox->collector.inbox")));
        long refreshes = ((Number) ((JavascriptExecutor) browser)
                .executeScript("return window.weftInspector.refreshes")).longValue();
        assertThat(refreshes).as("the page updated itself without a reload").isGreaterThan(1);
        assertThat((Object) ((JavascriptExecutor) browser).executeScript("return window.weftInspector.lastError"))
                .isNull();
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
