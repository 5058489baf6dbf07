package dev.weft.kvs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A connection to a {@link KvsServer}, usable from any number of threads at once: requests are
 * pipelined on one socket and their replies matched by request id.
 *
 * <pre>{@code
 * try (KvsClient client = KvsClient.connect(new InetSocketAddress("127.0.0.1", 7100), token)) {
 *     RemoteNamespace ns = client.primary();
 *     long v = ns.commit(new Txn().put("job.state", "running"));
 *     ns.waitVersion(v);
 *     System.out.println(ns.getString("job.state"));
 * }
 * }</pre>
 *
 * <p>The client is a blocking {@link SocketChannel} with one reader virtual thread that completes
 * the callers' futures and delivers watch events; writers share the socket under a lock. (It is a
 * library for code that may not run in a Weft runtime at all, so it does not need one.) Every
 * blocking call throws {@link KvsException} for what the server refused (a
 * {@link ConflictException} for a failed precondition), for a reply it cannot decode ("protocol
 * error: ..."), and when the connection is lost.
 */
public final class KvsClient implements AutoCloseable {
    /*
     * Threads. Callers write request frames under writeLock and wait on a future in `pending`, keyed
     * by request id. The reader thread is the only one that reads the socket, completes futures with
     * replies, and touches a RemoteWatch: it marks a watch started when its WATCHING reply arrives,
     * delivers its events, and, once the connection has ended for whatever reason, ends every started
     * watch with Ended(CLOSED) after the last event it delivered. So watch callbacks run on one thread,
     * in order, never after their Ended, and each watch ends once.
     *
     * Ending. fail() may run on any thread (close(), a failed write, the reader): it records the first
     * failure, closes the socket and fails every pending future. Closing the socket wakes the reader,
     * which then ends the watches and exits. A request made after the failure is recorded fails at
     * once; one racing with it is failed by the sweep, since it registers before it checks.
     */
    /** The largest frame the client accepts from a server: 64 MiB. */
    public static final int MAX_FRAME_BYTES = 64 << 20;

    private final SocketChannel channel;
    private final InetSocketAddress address;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Wire.In>> pending = new ConcurrentHashMap<>();
    private final Map<Long, RemoteWatch> watches = new ConcurrentHashMap<>();
    private final AtomicReference<KvsException> failure = new AtomicReference<>();

    private KvsClient(SocketChannel channel, InetSocketAddress address) {
        this.channel = channel;
        this.address = address;
        Thread.ofVirtual().name("weft-kvs-client-reader").start(this::read);
    }

    /** Connects to a server that needs no token. */
    public static KvsClient connect(InetSocketAddress address) throws IOException {
        return connect(address, null);
    }

    /**
     * Connects and, if {@code token} is not null, authenticates with it before returning.
     *
     * @throws IOException if the connection cannot be made
     * @throws KvsException if the server refuses the token
     */
    public static KvsClient connect(InetSocketAddress address, String token) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        KvsClient client = new KvsClient(channel, address);
        if (token != null) {
            long id = client.nextId();
            try {
                client.call(id, new Wire.Out(Wire.AUTH, id).bytes(token.getBytes(StandardCharsets.UTF_8)),
                        Wire.R_DONE, in -> null);
            } catch (InterruptedException e) {
                client.close();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while authenticating to " + address);
            } catch (KvsException e) {
                client.close();
                throw e;
            }
        }
        return client;
    }

    /**
     * Parses {@code host:port} (an IPv6 host in brackets: {@code [::1]:7100}) and connects.
     *
     * @throws IllegalArgumentException if {@code hostPort} is not of that form
     */
    public static KvsClient connect(String hostPort, String token) throws IOException {
        return connect(parseAddress(hostPort), token);
    }

    /** Parses {@code host:port}; the host may be bracketed IPv6. */
    public static InetSocketAddress parseAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'", e);
        }
    }

    /** Returns the server's address. */
    public InetSocketAddress address() {
        return address;
    }

    /** Returns whether the connection is still open. */
    public boolean isOpen() {
        return failure.get() == null;
    }

    /** Returns the {@value Kvs#PRIMARY} namespace. */
    public RemoteNamespace primary() {
        return namespace(Kvs.PRIMARY);
    }

    /** Returns a handle on namespace {@code name} (no round trip: a missing namespace fails its first request). */
    public RemoteNamespace namespace(String name) {
        return new RemoteNamespace(this, name);
    }

    /** Returns every namespace, sorted by name. */
    public List<NamespaceInfo> namespaces() throws InterruptedException {
        long id = nextId();
        return call(id, new Wire.Out(Wire.NS_LIST, id), Wire.R_NAMESPACES, in -> {
            int n = in.count(Wire.NAMESPACE_ENTRY_MIN_BYTES);
            List<NamespaceInfo> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(new NamespaceInfo(in.str(), in.str(), in.i64()));
            }
            return all;
        });
    }

    /** Creates namespace {@code name} owned by {@code owner}; returns once the creation is durable. */
    public RemoteNamespace createNamespace(String name, String owner) throws InterruptedException {
        long id = nextId();
        call(id, new Wire.Out(Wire.NS_CREATE, id).str(name).str(owner), Wire.R_DONE, in -> null);
        return namespace(name);
    }

    /**
     * Removes namespace {@code name} and everything in it; returns once the removal is durable.
     *
     * @throws KvsException if there is no such namespace, or it is the {@value Kvs#PRIMARY} namespace
     */
    public void removeNamespace(String name) throws InterruptedException {
        long id = nextId();
        call(id, new Wire.Out(Wire.NS_REMOVE, id).str(name), Wire.R_DONE, in -> null);
    }

    /**
     * Closes the connection: calls still waiting fail at once, and every watch ends with
     * {@link WatchEvent.Reason#CLOSED}, delivered on the reader thread after any event it is
     * delivering (so it may arrive just after this returns).
     */
    @Override
    public void close() {
        fail(new KvsException("the client was closed"));
    }

    // ---------------------------------------------------------------- requests

    long nextId() {
        return ids.incrementAndGet();
    }

    /** Sends a request frame; the future completes with the reply (an error reply fails it). */
    CompletableFuture<Wire.In> request(long id, Wire.Out out) {
        CompletableFuture<Wire.In> reply = new CompletableFuture<>();
        pending.put(id, reply);
        KvsException failed = failure.get();
        if (failed != null) {
            pending.remove(id);
            reply.completeExceptionally(failed);
            return reply;
        }
        ByteBuffer frame = ByteBuffer.wrap(out.frame());
        writeLock.lock();
        try {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        } catch (IOException e) {
            fail(new KvsException("lost the connection to " + address + ": " + e.getMessage(), e));
        } finally {
            writeLock.unlock();
        }
        return reply;
    }

    /**
     * Sends request {@code id} and waits for its reply of type {@code expected}, which {@code decode}
     * reads on the calling thread. An interrupted caller stops waiting and the reply is dropped.
     */
    <T> T call(long id, Wire.Out request, byte expected, Function<Wire.In, T> decode) throws InterruptedException {
        CompletableFuture<Wire.In> reply = request(id, request);
        try {
            return decode(await(reply), expected, decode);
        } catch (InterruptedException e) {
            forget(id);
            throw e;
        }
    }

    /** Like {@link #call}, without waiting; {@code decode} runs on the reader thread. */
    <T> CompletableFuture<T> callAsync(long id, Wire.Out request, byte expected, Function<Wire.In, T> decode) {
        return request(id, request).thenApply(in -> decode(in, expected, decode));
    }

    /** Stops waiting for request {@code id}: a reply that still comes is dropped. */
    void forget(long id) {
        pending.remove(id);
    }

    /** Waits for {@code future} and throws what failed it as a {@link KvsException}. */
    static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    /** Reads a reply; whatever does not decode becomes a {@link KvsException} that says so. */
    private static <T> T decode(Wire.In in, byte expected, Function<Wire.In, T> decode) {
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
        return cause instanceof KvsException k ? k : new KvsException(String.valueOf(cause), cause);
    }

    /** Returns how many requests wait for a reply (for tests). */
    int outstanding() {
        return pending.size();
    }

    void addWatch(RemoteWatch watch) {
        watches.put(watch.id(), watch);
    }

    void removeWatch(long id) {
        watches.remove(id);
    }

    // ---------------------------------------------------------------- reading

    /** The reader thread: reads until the connection ends, then ends the watches. */
    private void read() {
        try {
            readLoop();
        } finally {
            for (RemoteWatch watch : watches.values()) {
                if (watch.hasStarted()) {
                    watch.closed();
                }
            }
            watches.clear();
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(Wire.HEADER);
        try {
            for (;;) {
                header.clear();
                if (!readFully(header)) {
                    fail(new KvsException("the server at " + address + " closed the connection"));
                    return;
                }
                int length = header.getInt(0);
                if (length < Wire.MIN_BODY || length > MAX_FRAME_BYTES) {
                    fail(new KvsException("protocol error: the server sent a frame of " + length + " bytes"));
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                if (!readFully(body)) {
                    fail(new KvsException("the server at " + address + " closed the connection mid-frame"));
                    return;
                }
                dispatch(new Wire.In(body.array()));
            }
        } catch (Wire.Malformed e) {
            fail(new KvsException("protocol error: cannot decode a frame from " + address + ": " + e.getMessage(), e));
        } catch (IOException | RuntimeException e) {
            fail(new KvsException("lost the connection to " + address + ": " + e.getMessage(), e));
        }
    }

    private boolean readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private void dispatch(Wire.In in) {
        if (in.type == Wire.R_EVENT) {
            RemoteWatch watch = watches.get(in.id);
            if (watch != null) {
                watch.deliver(Wire.event(in));
            }
            return;
        }
        if (in.type == Wire.R_ERROR && in.id == 0) {
            // A protocol fault: the server closes the connection after this frame.
            failure.compareAndSet(null, Wire.error(in));
            return;
        }
        CompletableFuture<Wire.In> reply = pending.remove(in.id);
        if (reply == null) {
            return;
        }
        if (in.type == Wire.R_ERROR) {
            reply.completeExceptionally(Wire.error(in));
            return;
        }
        if (in.type == Wire.R_WATCHING) {
            RemoteWatch watch = watches.get(in.id);
            if (watch != null) {
                watch.started(in.i64());
            }
        }
        reply.complete(in);
    }

    /**
     * Ends the connection, from any thread: records the first failure, closes the socket (which wakes
     * the reader, and it ends the watches) and fails every waiting call.
     */
    private void fail(KvsException why) {
        failure.compareAndSet(null, why);
        KvsException cause = failure.get();
        try {
            channel.close();
        } catch (IOException e) {
            System.getLogger(KvsClient.class.getName()).log(System.Logger.Level.DEBUG, "closing the socket failed", e);
        }
        pending.keySet().forEach(id -> {
            CompletableFuture<Wire.In> reply = pending.remove(id);
            if (reply != null) {
                reply.completeExceptionally(cause);
            }
        });
    }
}
