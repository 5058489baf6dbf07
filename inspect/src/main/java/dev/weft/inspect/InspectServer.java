package dev.weft.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpServer;
import dev.weft.runtime.Component;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An embedded HTTP endpoint that shows a running runtime: the graph as JSON ({@code /api/graph}),
 * its Micrometer meters in Prometheus text format ({@code /metrics}), a stream of changes as
 * Server-Sent Events ({@code /api/events}) and a page that draws the graph live ({@code /}).
 *
 * <pre>{@code
 * try (Weft weft = Weft.builder().meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
 *     InspectServer inspector = InspectServer.start(weft, InspectServer.loopback(8080));
 *     System.out.println("open " + inspector.uri());
 *     ...
 * }
 * }</pre>
 *
 * <p>The server is itself a component (named {@code "inspector"}), so it appears in the graph and
 * stops when the runtime closes. Requests run on virtual threads of the JDK's built-in HTTP server.
 * Its data is served by the rule of an {@link InspectAccess}: by default only to clients on
 * loopback; beyond loopback, to clients that present a token, or to everyone if made insecure.
 */
public final class InspectServer extends Component {
    private static final System.Logger LOG = System.getLogger(InspectServer.class.getName());

    private final HttpServer http;
    private final ExecutorService executor;

    private InspectServer(HttpServer http, ExecutorService executor) {
        super("inspector");
        this.http = http;
        this.executor = executor;
    }

    /** Returns the loopback address with the given port ({@code 0} picks a free one). */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Binds {@code address}, starts serving {@code weft} in {@linkplain InspectAccess#protectedMode()
     * protected mode} (to clients on loopback only) and spawns the server's component into it.
     *
     * @throws IOException if the address cannot be bound (for instance, the port is taken)
     */
    public static InspectServer start(Weft weft, InetSocketAddress address) throws IOException {
        return start(weft, address, InspectAccess.protectedMode());
    }

    /**
     * Binds {@code address}, starts serving {@code weft} to the clients {@code access} admits and
     * spawns the server's component into it. Bound beyond loopback in protected or insecure mode,
     * it logs a warning that says so.
     *
     * @throws IOException if the address cannot be bound (for instance, the port is taken)
     */
    public static InspectServer start(Weft weft, InetSocketAddress address, InspectAccess access) throws IOException {
        Objects.requireNonNull(weft, "weft");
        Objects.requireNonNull(access, "access");
        HttpServer http;
        try {
            http = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new IOException("cannot serve the inspector on " + address + ": " + e.getMessage(), e);
        }
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        Gate gate = new Gate(access);
        http.createContext("/api/graph", Http.guarded(gate.guard(new GraphHandler(weft, json))));
        http.createContext("/api/events", Http.guarded(gate.guard(new EventsHandler(weft, json))));
        http.createContext("/metrics", Http.guarded(gate.guard(new MetricsHandler(weft.meterRegistry()))));
        http.createContext("/", Http.guarded(new PageHandler()));
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        InspectServer server = new InspectServer(http, executor);
        http.start();
        try {
            weft.spawn(server);
        } catch (RuntimeException e) {
            server.stopServing();
            throw e;
        }
        String warning = access.startWarning(server.address());
        if (warning != null) {
            LOG.log(System.Logger.Level.WARNING, warning);
        }
        LOG.log(System.Logger.Level.DEBUG, "inspector serving on {0} ({1})", server.uri(), access);
        return server;
    }

    /** Returns the address the server is bound to. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Returns the URI of the page, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        InetSocketAddress a = address();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/");
    }

    @Override
    protected void run() throws InterruptedException {
        try {
            while (!(control.receive() instanceof Shutdown)) {
                // Only Shutdown ends the server; other signals are not for it.
            }
        } finally {
            stopServing();
        }
    }

    private void stopServing() {
        http.stop(0);
        executor.shutdownNow();
    }
}
