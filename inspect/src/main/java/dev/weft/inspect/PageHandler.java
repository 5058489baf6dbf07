package dev.weft.inspect;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * Serves the page and its scripts from the classpath: {@code /} and its own files from this
 * package's resources, {@code /lib/cytoscape.min.js} from the Cytoscape.js WebJar.
 *
 * <p>On the module path a class finds only its own module's resources, so the WebJar's files are read
 * through the class loader (their {@code META-INF/} names are not packages, hence not encapsulated).
 */
final class PageHandler implements HttpHandler {
    private static final String OWN = "/dev/weft/inspect/";
    private static final String CYTOSCAPE_POM = "META-INF/maven/org.webjars.npm/cytoscape/pom.properties";

    private final Map<String, Asset> assets;

    private record Asset(String resource, String contentType) {
    }

    PageHandler() {
        String cytoscape = "META-INF/resources/webjars/cytoscape/" + cytoscapeVersion() + "/dist/cytoscape.min.js";
        this.assets = Map.of(
                "/", new Asset(OWN + "index.html", "text/html; charset=utf-8"),
                "/inspect.js", new Asset(OWN + "inspect.js", "text/javascript; charset=utf-8"),
                "/inspect.css", new Asset(OWN + "inspect.css", "text/css; charset=utf-8"),
                "/lib/cytoscape.min.js", new Asset(cytoscape, "text/javascript; charset=utf-8"));
    }

    private static String cytoscapeVersion() {
        try (InputStream in = open(CYTOSCAPE_POM)) {
            if (in == null) {
                throw new IllegalStateException("the Cytoscape.js WebJar is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens one of this package's resources (an absolute name) or a WebJar's (a class-loader name). */
    private static InputStream open(String resource) {
        return resource.startsWith("/")
                ? PageHandler.class.getResourceAsStream(resource)
                : PageHandler.class.getClassLoader().getResourceAsStream(resource);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Asset asset = assets.get(exchange.getRequestURI().getPath());
        if (asset == null) {
            Http.sendText(exchange, 404, "not found: " + exchange.getRequestURI().getPath() + "\n");
            return;
        }
        byte[] body;
        try (InputStream in = open(asset.resource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + asset.resource());
            }
            body = in.readAllBytes();
        }
        Http.send(exchange, 200, asset.contentType(), body);
    }
}
