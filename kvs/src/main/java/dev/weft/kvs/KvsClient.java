package dev.weft.kvs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link KvsStore} on a {@link KvsServer}, usable from any number of threads at once: requests
 * are pipelined on one socket and their replies matched by request id.
 *
 * <pre>{@code
 * try (KvsClient client = KvsClient.connect(KvsClientOptions.of("127.0.0.1:7100").withToken(token))) {
 *     Namespace ns = client.primary();
 *     long v = ns.commit(new Txn().put("job.state", "running"));
 *     ns.waitVersion(v);
 *     System.out.println(ns.getString("job.state"));
 * }
 * }</pre>
 *
 * <p><b>Faults.</b> Every call waits at most its timeout ({@link KvsClientOptions#callTimeout()}, or
 * the namespace's own from {@link Namespace#withTimeout}), counted from the call, so the time its
 * request waits to be written counts too (as a gRPC deadline does); a call that has no answer by then, or
 * whose connection is lost while it waits, throws {@link OutcomeUnknownException}: it may or may
 * not have taken effect. A refusal keeps its type across the wire ({@link ConflictException},
 * {@link VersionNotRetainedException}, ...). After the connection is lost, the next call connects
 * again (and authenticates); watches do not move to the new connection: they end with
 * {@code Ended(CLOSED)}, and the caller starts them again from the version it had seen.
 *
 * <p><b>Security.</b> With {@link KvsClientOptions#tls()} the client speaks TLS (the JDK's
 * {@code SSLSocket}, configured by a {@link dev.weft.actors.net.Tls#client()}); a failed handshake
 * fails the connect with an {@link javax.net.ssl.SSLHandshakeException} that names the server and the
 * reason. The client refuses to send its token over plain TCP to a server that is not on loopback
 * (an {@link AuthenticationException} before anything is sent) unless the options say
 * {@linkplain KvsClientOptions#insecure() insecure}.
 *
 * <p>The client is a blocking socket with one reader virtual thread per connection (a library for
 * code that may not run in a Weft runtime at all, so it does not need one).
 */
public final class KvsClient implements KvsStore {
    /** The largest frame the client accepts from a server: 64 MiB. */
    public static final int MAX_FRAME_BYTES = 64 << 20;

    private final KvsClientOptions options;
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock connectLock = new ReentrantLock();
    private volatile ClientConnection connection;
    private volatile boolean closed;

    private KvsClient(KvsClientOptions options) {
        this.options = options;
    }

    /**
     * Connects and, if the options carry a token, authenticates before returning.
     *
     * @throws IOException if the connection cannot be made within the connect timeout
     * @throws AuthenticationException if the server refuses the token
     * @throws OutcomeUnknownException if the server does not answer the handshake within the timeout
     */
    public static KvsClient connect(KvsClientOptions options) throws IOException {
        KvsClient client = new KvsClient(options);
        try {
            client.connection = client.open();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + options.address());
        }
        return client;
    }

    /** Connects to a server that needs no token, with the default timeouts. */
    public static KvsClient connect(InetSocketAddress address) throws IOException {
        return connect(KvsClientOptions.of(address));
    }

    /** Connects with {@code token} (null for none) and the default timeouts. */
    public static KvsClient connect(InetSocketAddress address, String token) throws IOException {
        return connect(KvsClientOptions.of(address).withToken(token));
    }

    /** Parses {@code host:port} (an IPv6 host in brackets: {@code [::1]:7100}) and connects. */
    public static KvsClient connect(String hostPort, String token) throws IOException {
        return connect(KvsClientOptions.of(hostPort).withToken(token));
    }

    /** Opens {@code weft://host:port} for {@link KvsStore#open(String)}; the token comes from {@code $WEFT_KVS_TOKEN}. */
    static KvsClient open(URI location) throws IOException {
        if (location.getHost() == null || location.getPort() < 0) {
            throw new IllegalArgumentException("expected weft://host:port, got '" + location + "'");
        }
        String token = System.getenv("WEFT_KVS_TOKEN");
        return connect(KvsClientOptions.of(new InetSocketAddress(location.getHost(), location.getPort()))
                .withToken(token == null || token.isEmpty() ? null : token));
    }

    /** Returns the options this client was made with. */
    public KvsClientOptions options() {
        return options;
    }

    /** Returns the server's address. */
    public InetSocketAddress address() {
        return options.address();
    }

    /** Returns whether the client has a live connection (a lost one is replaced on the next call). */
    public boolean isOpen() {
        ClientConnection c = connection;
        return !closed && c != null && c.isOpen();
    }

    @Override
    public Namespace namespace(String name) {
        return new RemoteNamespace(this, name, options.callTimeout());
    }

    @Override
    public List<NamespaceInfo> namespaces() throws InterruptedException {
        return call(id -> new Wire.Out(Wire.NS_LIST, id), Wire.R_NAMESPACES, options.callTimeout(), in -> {
            int n = in.count(Wire.NAMESPACE_ENTRY_MIN_BYTES);
            List<NamespaceInfo> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(new NamespaceInfo(in.str(), in.str(), in.i64()));
            }
            return all;
        });
    }

    @Override
    public Namespace createNamespace(String name, String owner) throws InterruptedException {
        call(id -> new Wire.Out(Wire.NS_CREATE, id).str(name).str(owner), Wire.R_DONE, options.callTimeout(), in -> null);
        return namespace(name);
    }

    @Override
    public void removeNamespace(String name) throws InterruptedException {
        call(id -> new Wire.Out(Wire.NS_REMOVE, id).str(name), Wire.R_DONE, options.callTimeout(), in -> null);
    }

    /**
     * Closes the client: calls still waiting fail with {@link OutcomeUnknownException}, later ones
     * with {@link KvsException}, and every watch ends with {@link WatchEvent.Reason#CLOSED},
     * delivered on the reader thread after any event it is delivering (so it may arrive just after
     * this returns).
     */
    @Override
    public void close() {
        closed = true;
        ClientConnection c = connection;
        if (c != null) {
            c.fail(new OutcomeUnknownException("the client was closed while the call waited; it may or may not"
                    + " have taken effect"));
        }
    }

    // ---------------------------------------------------------------- connections

    /** Returns the live connection, connecting again if the last one failed. */
    ClientConnection connection() throws InterruptedException {
        ClientConnection c = connection;
        if (c != null && c.isOpen() && !closed) {
            return c;
        }
        connectLock.lock();
        try {
            checkNotClosed();
            c = connection;
            if (c == null || !c.isOpen()) {
                try {
                    c = open();
                } catch (IOException e) {
                    throw new KvsException("cannot connect to " + options.address() + ": " + e.getMessage(), e);
                }
                connection = c;
            }
            return c;
        } finally {
            connectLock.unlock();
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw new KvsException("the client was closed");
        }
    }

    /** Opens a connection and presents the token, all within the connect timeout. */
    private ClientConnection open() throws IOException, InterruptedException {
        if (options.token() != null && options.tls() == null && !options.insecure() && !onLoopback(options.address())) {
            throw new AuthenticationException("refusing to send the token to " + options.address() + " over plain TCP, "
                    + "where it would cross the network in clear text; connect with TLS (KvsClientOptions.withTls, "
                    + "weft kvs --tls), or on a trusted network with --insecure");
        }
        ClientConnection c = ClientConnection.open(options.address(), options.tls(), options.connectTimeout());
        if (options.token() != null) {
            long id = nextId();
            try {
                await(c, id, c.request(id, new Wire.Out(Wire.AUTH, id).bytes(options.token().getBytes(StandardCharsets.UTF_8)),
                        options.connectTimeout(), "the authentication handshake"));
            } catch (KvsException | InterruptedException e) {
                c.fail(new KvsException("the handshake failed"));
                throw e;
            }
        }
        return c;
    }

    private static boolean onLoopback(InetSocketAddress address) {
        return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    // ---------------------------------------------------------------- requests

    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Sends the request {@code frame} builds for a fresh id and waits at most {@code timeout} for its
     * reply of type {@code expected}, which {@code decode} reads on the calling thread.
     */
    <T> T call(Function<Long, Wire.Out> frame, byte expected, Duration timeout, Function<Wire.In, T> decode)
            throws InterruptedException {
        ClientConnection c = connection();
        long id = nextId();
        return call(c, id, frame.apply(id), expected, timeout, decode);
    }

    /** Like {@link #call(Function, byte, Duration, Function)} on connection {@code c} with request {@code id}. */
    <T> T call(ClientConnection c, long id, Wire.Out frame, byte expected, Duration timeout, Function<Wire.In, T> decode)
            throws InterruptedException {
        return decode(await(c, id, c.request(id, frame, timeout, "the call")), expected, decode);
    }

    /**
     * Like {@link #call}, without waiting: the future fails with {@link OutcomeUnknownException} when
     * {@code timeout} (null: none) passes first; {@code decode} runs on the reader thread.
     */
    <T> CompletableFuture<T> callAsync(Function<Long, Wire.Out> frame, byte expected, Duration timeout,
            Function<Wire.In, T> decode) {
        ClientConnection c;
        try {
            c = connection();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new KvsException("interrupted while connecting"));
        } catch (KvsException e) {
            return CompletableFuture.failedFuture(e);
        }
        long id = nextId();
        return c.request(id, frame.apply(id), timeout, "the call").thenApply(in -> decode(in, expected, decode));
    }

    /**
     * Waits for {@code reply}, which the connection fails at the request's deadline; an interrupt
     * forgets the call, so its late reply is dropped.
     */
    private static Wire.In await(ClientConnection c, long id, CompletableFuture<Wire.In> reply) throws InterruptedException {
        try {
            return reply.get();
        } catch (InterruptedException e) {
            c.forget(id);
            throw e;
        } catch (ExecutionException e) {
            KvsException failed = rethrown(e.getCause());
            // Failed on another thread (the connection's deadline or reader thread): say where it was waited for.
            throw failed instanceof OutcomeUnknownException ? new OutcomeUnknownException(failed.getMessage(), failed) : failed;
        }
    }

    static OutcomeUnknownException noAnswer(String what, Duration timeout) {
        return new OutcomeUnknownException("no answer to " + what + " within " + timeout
                + " (the server may be paused, overloaded or gone); it may or may not have taken effect");
    }

    /** Reads a reply; whatever does not decode becomes a {@link KvsException} that says so. */
    static <T> T decode(Wire.In in, byte expected, Function<Wire.In, T> decode) {
        if (in.type != expected) {
            throw new KvsException("protocol error: expected a reply of type " + expected + " to request " + in.id
                    + ", got " + in.type);
        }
        try {
            return decode.apply(in);
        } catch (Wire.Malformed e) {
            throw new KvsException("protocol error: cannot decode the reply of type " + in.type + " to request "
                    + in.id + ": " + e.getMessage(), e);
        }
    }

    static KvsException rethrown(Throwable cause) {
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof KvsException k ? k : new KvsException(String.valueOf(cause), cause);
    }

    /** Returns how many requests wait for a reply on the current connection (for tests). */
    int outstanding() {
        ClientConnection c = connection;
        return c == null ? 0 : c.outstanding();
    }

    @Override
    public String toString() {
        return "KvsClient[" + options.address() + "]";
    }
}
