package dev.weft.kvs;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of a {@link KvsServer}: decodes the request frames its socket adapter reads,
 * calls the store, and sends replies and watch events back as frames.
 *
 * <p>Reads, version queries and watch starts are answered at once, in request order. Commits, version
 * waits and namespace changes complete later (durability, a version not reached yet; a
 * {@code WAIT_VERSION_FOR} at its timeout at the latest, so it frees its slot by itself): their futures
 * put the encoded reply on the unbounded {@code results} inbox, which holds at most
 * {@link KvsServerOptions#maxInFlight()} replies because the connection stops decoding requests while
 * that many are outstanding. Watch events arrive on the bounded {@code events} inbox; when the client
 * reads slowly, sends to the adapter park this component, the events inbox fills, the watch's buffer
 * fills, and the watch ends with {@code OVERFLOWED}: memory stays bounded and the gap is announced.
 *
 * <p>A protocol fault (malformed or oversized frame, wrong token) gets an error frame with request id
 * 0, then the adapter is told its input is finished (it writes what it holds and half-closes), the
 * connection discards whatever else arrives until the peer closes or {@link #LINGER} passes, and ends.
 */
final class KvsConnection extends Component {
    private static final System.Logger LOG = System.getLogger(KvsConnection.class.getName());
    /** How long a faulted connection waits for its peer to close before closing it. */
    static final Duration LINGER = Duration.ofSeconds(5);
    private static final int EVENT_INBOX = 64;

    /** Bytes read from the socket. */
    final Inbox<byte[]> chunks = inbox("chunks", byte[].class);
    /** Frames to write to the socket. */
    final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<byte[]> results = unboundedInbox("results", byte[].class);
    private final Inbox<WatchEvent> events = inbox("events", WatchEvent.class, EVENT_INBOX);
    private final Kvs kvs;
    private final KvsServerOptions options;
    private final SocketAdapter adapter;
    private final FrameDecoder decoder;
    private final byte[] token;
    private boolean authenticated;
    private boolean inputEnded;
    private int inFlight;
    /** Open watches by the id of the request that started them, and that id by store watch id. */
    private final Map<Long, Watch> watches = new HashMap<>();
    private final Map<Long, Long> requestOfWatch = new HashMap<>();

    KvsConnection(Kvs kvs, KvsServerOptions options, SocketAdapter adapter) {
        super("kvs-connection");
        this.kvs = kvs;
        this.options = options;
        this.adapter = adapter;
        this.decoder = new FrameDecoder(options.maxFrameBytes());
        this.token = options.token() == null ? null : options.token().getBytes(StandardCharsets.UTF_8);
        this.authenticated = token == null;
    }

    @Override
    protected void run() throws InterruptedException {
        try {
            if (serve()) {
                linger();
            }
        } catch (InboxClosedException adapterEnded) {
            // the socket is gone: nobody to answer
        } finally {
            watches.values().forEach(Watch::cancel);
            endAdapterOutput();
        }
    }

    /** Tells the adapter nothing more will be written: it flushes, half-closes, and ends with the peer. */
    private void endAdapterOutput() {
        try {
            adapter.control().trySend(new ProducerFinished(this));
        } catch (InboxClosedException adapterEnded) {
            // the socket is closed already
        }
    }

    /**
     * Serves requests until the runtime or the peer ends the connection; returns true after a fault.
     * Once the peer's input has ended, the requests it sent are still answered (for at most
     * {@link #LINGER}), then the connection ends.
     */
    private boolean serve() throws InterruptedException {
        long deadline = 0;
        for (;;) {
            Inbox<?> ready;
            if (inputEnded) {
                long left = deadline - System.nanoTime();
                ready = left > 0 ? select(Duration.ofNanos(left), results, events, control()) : null;
                if (ready == null) {
                    return false;
                }
            } else {
                ready = inFlight < options.maxInFlight()
                        ? select(results, events, control(), chunks)
                        : select(results, events, control());
            }
            if (ready == control()) {
                Signal signal = control().poll();
                if (signal instanceof Shutdown) {
                    return false;
                }
                if (signal instanceof ProducerFinished) {
                    // The adapter sent every chunk before this signal: take them all.
                    for (byte[] chunk; (chunk = chunks.poll()) != null; ) {
                        decoder.feed(chunk);
                    }
                    inputEnded = true;
                    deadline = System.nanoTime() + LINGER.toNanos();
                }
            } else if (ready == results) {
                inFlight--;
                outbox.send(results.poll());
            } else if (ready == events) {
                sendEvent(events.poll());
            } else {
                decoder.feed(chunks.poll());
            }
            if (!decodeRequests()) {
                return true;
            }
            if (inputEnded && inFlight == 0) {
                return false;           // every request answered (a partial last frame is dropped)
            }
        }
    }

    /** Handles the complete frames received so far; returns false after a protocol fault. */
    private boolean decodeRequests() throws InterruptedException {
        while (inFlight < options.maxInFlight()) {
            try {
                byte[] body = decoder.next();
                if (body == null) {
                    return true;
                }
                Wire.In in = new Wire.In(body);
                if (authenticated) {
                    handle(in);
                } else if (!authenticate(in)) {
                    return false;
                }
            } catch (FrameDecoder.TooLarge e) {
                return fault(Wire.E_FRAME_TOO_LARGE, e.getMessage());
            } catch (Wire.Malformed e) {
                return fault(Wire.E_BAD_FRAME, e.getMessage());
            }
        }
        return true;
    }

    private boolean authenticate(Wire.In in) throws InterruptedException {
        if (in.type != Wire.AUTH) {
            return fault(Wire.E_AUTH, "the server requires a token first");
        }
        byte[] presented = in.bytes();
        in.end();
        // MessageDigest.isEqual takes the same time wherever the first difference is.
        if (presented == null || !MessageDigest.isEqual(presented, token)) {
            return fault(Wire.E_AUTH, "wrong token");
        }
        authenticated = true;
        outbox.send(new Wire.Out(Wire.R_DONE, in.id).frame());
        return true;
    }

    private boolean fault(byte code, String message) throws InterruptedException {
        LOG.log(Level.DEBUG, () -> "closing " + remote() + ": " + message);
        outbox.send(Wire.error(0, code, message));
        return false;
    }

    /** After a fault: drop the rest of the input until the peer closes, at most {@link #LINGER}. */
    private void linger() throws InterruptedException {
        watches.values().forEach(Watch::cancel);
        endAdapterOutput();
        if (inputEnded) {
            return;
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            Inbox<?> ready = left > 0 ? select(Duration.ofNanos(left), control(), chunks) : null;
            if (ready == null) {
                adapter.shutdown();
                return;
            }
            if (ready == control()) {
                control().poll();
                return;
            }
            chunks.poll();
        }
    }

    // ---------------------------------------------------------------- requests

    private void handle(Wire.In in) throws InterruptedException {
        try {
            switch (in.type) {
                case Wire.AUTH -> {
                    in.bytes();
                    in.end();
                    outbox.send(new Wire.Out(Wire.R_DONE, in.id).frame());
                }
                case Wire.GET -> {
                    View view = view(in.str(), in.i64());
                    String key = in.str();
                    in.end();
                    byte[] value = view.get(key);
                    reply(new Wire.Out(Wire.R_VALUE, in.id).i64(view.version()).i64(view.keyVersion(key)).bytes(value));
                }
                case Wire.LIST -> {
                    View view = view(in.str(), in.i64());
                    String dir = in.str();
                    in.end();
                    reply(new Wire.Out(Wire.R_LISTING, in.id).i64(view.version()).strs(view.list(dir)));
                }
                case Wire.COMMIT -> {
                    Namespace ns = kvs.namespace(in.str());
                    later(in.id, ns.commitAsync(Wire.txn(in)).thenApply(v -> versionFrame(in.id, v)));
                }
                case Wire.VERSION -> {
                    Namespace ns = kvs.namespace(in.str());
                    in.end();
                    reply(new Wire.Out(Wire.R_VERSION, in.id).i64(ns.version()));
                }
                case Wire.WAIT_VERSION -> {
                    Namespace ns = kvs.namespace(in.str());
                    long v = in.i64();
                    in.end();
                    later(in.id, ns.whenVersion(v).thenApply(reached -> versionFrame(in.id, reached)));
                }
                case Wire.WAIT_VERSION_FOR -> {
                    Namespace ns = kvs.namespace(in.str());
                    long v = in.i64();
                    long timeoutMillis = in.i64();
                    in.end();
                    if (timeoutMillis < 0) {
                        throw new KvsException("a wait's timeout must not be negative: " + timeoutMillis + " ms");
                    }
                    later(in.id, ns.whenVersion(v, timeoutMillis, TimeUnit.MILLISECONDS)
                            .thenApply(reached -> versionFrame(in.id, reached)));
                }
                case Wire.WATCH -> startWatch(in);
                case Wire.CANCEL_WATCH -> {
                    long watchRequest = in.i64();
                    in.end();
                    Watch w = watches.get(watchRequest);
                    if (w != null) {
                        w.cancel();
                    }
                    reply(new Wire.Out(Wire.R_DONE, in.id));
                }
                case Wire.NS_CREATE -> {
                    String name = in.str();
                    String owner = in.str();
                    in.end();
                    later(in.id, inBackground(() -> kvs.createNamespace(name, owner)).thenApply(x -> doneFrame(in.id)));
                }
                case Wire.NS_REMOVE -> {
                    String name = in.str();
                    in.end();
                    later(in.id, inBackground(() -> {
                        kvs.removeNamespace(name);
                        return null;
                    }).thenApply(x -> doneFrame(in.id)));
                }
                case Wire.NS_LIST -> {
                    in.end();
                    List<NamespaceInfo> all = kvs.namespaces();
                    Wire.Out out = new Wire.Out(Wire.R_NAMESPACES, in.id).i32(all.size());
                    all.forEach(n -> out.str(n.name()).str(n.owner()).i64(n.version()));
                    reply(out);
                }
                default -> throw new Wire.Malformed("unknown request type " + in.type);
            }
        } catch (KvsException e) {
            outbox.send(Wire.error(in.id, e));
        } catch (Wire.Malformed e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request of type " + in.type + " from " + remote() + " failed", e);
            outbox.send(Wire.error(in.id, Wire.E_FAILED, "internal error: " + e));
        }
    }

    /** The view a read asks for; the version may be {@link KvsRequest#LATEST}. */
    private View view(String namespace, long version) {
        Namespace ns = kvs.namespace(namespace);
        return version == KvsRequest.LATEST ? ns.latest() : ns.at(version);
    }

    private void startWatch(Wire.In in) throws InterruptedException {
        String namespace = in.str();
        String key = in.str();
        WatchMode mode = Wire.mode(in.u8());
        in.end();
        if (watches.size() >= options.maxWatches()) {
            outbox.send(Wire.error(in.id, Wire.E_LIMIT, "this connection has " + watches.size()
                    + " watches open, the limit; cancel one first"));
            return;
        }
        if (watches.containsKey(in.id)) {
            throw new Wire.Malformed("request id " + in.id + " already names an open watch");
        }
        Watch w = kvs.namespace(namespace).watch(key, mode, events, options.watchBuffer());
        watches.put(in.id, w);
        requestOfWatch.put(w.id(), in.id);
        reply(new Wire.Out(Wire.R_WATCHING, in.id).i64(w.startVersion()));
    }

    private void sendEvent(WatchEvent event) throws InterruptedException {
        Long request = event instanceof WatchEvent.Ended
                ? requestOfWatch.remove(event.watchId())
                : requestOfWatch.get(event.watchId());
        if (request == null) {
            return;
        }
        if (event instanceof WatchEvent.Ended) {
            watches.remove(request);
        }
        outbox.send(Wire.event(request, event).frame());
    }

    private void reply(Wire.Out out) throws InterruptedException {
        outbox.send(out.frame());
    }

    /** Sends the reply once {@code future} completes, through the results inbox. */
    private void later(long id, CompletableFuture<byte[]> future) {
        inFlight++;
        future.whenComplete((frame, e) -> {
            byte[] answer = e == null ? frame : Wire.error(id, Namespace.unwrap(e));
            try {
                results.trySend(answer);
            } catch (InboxClosedException connectionEnded) {
                // the client is gone; nobody to tell
            }
        });
    }

    private static byte[] versionFrame(long id, long version) {
        return new Wire.Out(Wire.R_VERSION, id).i64(version).frame();
    }

    private static byte[] doneFrame(long id) {
        return new Wire.Out(Wire.R_DONE, id).frame();
    }

    private interface Blocking<T> {
        T run() throws InterruptedException;
    }

    /** Runs a namespace change (it waits for durability) on a virtual thread of its own. */
    private static <T> CompletableFuture<T> inBackground(Blocking<T> op) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofVirtual().name("weft-kvs-namespace-change").start(() -> {
            try {
                future.complete(op.run());
            } catch (InterruptedException e) {
                future.completeExceptionally(new KvsException("interrupted"));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private String remote() {
        try {
            return String.valueOf(adapter.channel().getRemoteAddress());
        } catch (java.io.IOException e) {
            return "a closed connection";
        }
    }
}
