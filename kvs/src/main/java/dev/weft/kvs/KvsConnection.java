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
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection of a {@link KvsServer}: decodes the request frames its socket adapter reads
 * into {@link KvsRequest}s for the {@link KvsDispatcher} (the one the {@link KvsService} uses too),
 * and sends replies and watch events back as frames.
 *
 * <p>Requests are decoded and handled on the thread that read them (the selector loop's or the
 * socket adapter's), whenever the connection has nothing of its own to do first; otherwise (and
 * for the token, watch starts and cancels, and faults) on the connection's own thread. Reads,
 * version queries and watch starts are answered at once, in request order. Commits, version waits
 * and namespace changes complete later (durability, a version not reached yet; a {@code
 * WAIT_VERSION_FOR} at its timeout at the latest, so it frees its slot by itself): the thread that
 * completes one (for a commit, the log's) sends the encoded reply straight to the socket adapter's
 * inbox if it has room, so the connection does not wake for it; otherwise it goes through the
 * unbounded {@code results} inbox, which holds at most {@link KvsServerOptions#maxInFlight()}
 * replies because the connection stops decoding requests while that many are outstanding. A
 * watch's events go straight to the socket adapter as frames ({@link WatchFrames}), from the
 * thread that published the commit when the watch has nothing buffered and the adapter has room,
 * else from the watch's delivery thread; the connection only hears of its end. When the client
 * reads slowly, the adapter's inbox fills, the watch's delivery thread parks, its buffer fills,
 * and the watch ends with {@code OVERFLOWED}: memory stays bounded and the gap is announced.
 *
 * <p>A protocol fault (malformed or oversized frame, wrong token, no token within
 * {@link KvsServerOptions#authTimeout()}) gets an error frame with request id 0, then the adapter is
 * told its input is finished (it writes what it holds and half-closes), the connection discards
 * whatever else arrives until the peer closes or {@link #LINGER} passes, and ends. A peer that
 * {@link KvsAdmission} refuses (another host, and the server has no token or takes it only over TLS)
 * gets the same treatment before a byte of its input is read.
 */
final class KvsConnection extends Component {
    /*
     * Outstanding replies. `inFlight` counts the requests whose replies are still to go out; the
     * connection increments it, and whoever sends a reply to the adapter decrements it: the
     * completing thread after a direct send, or the connection after it sent one from `results`.
     * Only two states need the connection awake when a direct send frees a slot: it stopped reading
     * at maxInFlight, or its input has ended and it waits for the last reply. The sender then puts
     * WAKE on `results` (the connection reads `inputEnded` and `inFlight` after writing the other,
     * both volatile, so one of the two sides sees the other's write). Replies to one connection go
     * out in any order (the client matches them by id); those answered at once go out in request
     * order.
     *
     * Who handles input. The request state (decoder, authentication, watches, held) belongs to
     * whoever holds `turn`: the connection's thread from the moment it takes a message until it has
     * handled it, or the adapter's thread, which offers each chunk it reads to `chunks`' inline
     * taker (Inbox.takeInline). The taker handles the chunk on the adapter's thread, with no
     * hand-off, if it gets `turn` at once, the connection serves (admitted, authenticated, not
     * faulted or ending) and nothing is ahead of the chunk: `chunks` is empty, no
     * frame waits in the decoder for the connection's thread (`handOver` clear), the input has not
     * ended and a slot is free. Otherwise it refuses and the chunk is queued as before, behind
     * whatever the connection has still to do. Inline, it handles the ordinary requests (the
     * dispatcher's) and stops at anything else: the token, a watch start or cancel, a frame that
     * will not decode, a full adapter inbox for an answer, no free slot. It then sets `handOver`,
     * keeps the frame body (`held`) or the answer (`heldAnswer`) it stopped at, and puts WAKE on
     * `results`; the connection's thread goes on from exactly there, and decoding the bad frame
     * again faults the connection in order. So requests are handled in the order they arrived,
     * whichever thread handles them, and the inline path never waits.
     */
    /** Put on {@code results} to wake the connection; never sent. */
    private static final byte[] WAKE = new byte[0];
    private static final System.Logger LOG = System.getLogger(KvsConnection.class.getName());
    /** How long a faulted connection waits for its peer to close before closing it. */
    static final Duration LINGER = Duration.ofSeconds(5);

    /** Bytes read from the socket. */
    final Inbox<byte[]> chunks = inbox("chunks", byte[].class);
    /** Frames to write to the socket. */
    final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<byte[]> results = unboundedInbox("results", byte[].class);
    /** The request ids of watches that have ended (at most one each, so at most maxWatches at once). */
    private final Inbox<Long> ended = unboundedInbox("ended", Long.class);
    private final Kvs kvs;
    private final KvsServerOptions options;
    private final SocketAdapter adapter;
    private final String refusal;
    private final FrameDecoder decoder;
    private final byte[] token;
    /** When the connection must have presented the token (System.nanoTime()); it was accepted authTimeout before. */
    private final long authDeadline;
    private boolean authenticated;
    /** Who the client authenticated as: the store's owner unless its token is a user's. */
    private Principal principal = Principal.OWNER;
    private volatile boolean inputEnded;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Held by whoever handles input: the connection's thread, or the adapter's thread inline. */
    private final ReentrantLock turn = new ReentrantLock();
    /** True while serve() runs: the inline path handles nothing before or after; guarded by turn. */
    private boolean serving;
    /** Set when the inline path stopped at something for the connection's thread; guarded by turn. */
    private boolean handOver;
    /** The frame body the inline path stopped at, or null; guarded by turn. */
    private byte[] held;
    /** An answer the inline path could not send (the adapter's inbox was full), or null; guarded by turn. */
    private byte[] heldAnswer;
    /** What failed the inline path unexpectedly (a bug), for the connection's thread to fail with; guarded by turn. */
    private RuntimeException inlineFailure;
    /** Open watches' store ids by the id of the request that started them. */
    private final Map<Long, Long> watches = new HashMap<>();
    /** Shut before the connection's last frame, so that no watch frame follows it. */
    private final WatchGate gate = new WatchGate();

    /**
     * Serves the client at {@code peer} (its address is given, not read from the socket, so that a test
     * can place it on another host), if {@code admission} lets it in.
     */
    KvsConnection(Kvs kvs, KvsServerOptions options, KvsAdmission admission, InetAddress peer, SocketAdapter adapter) {
        super("kvs-connection");
        this.kvs = kvs;
        this.options = options;
        this.adapter = adapter;
        this.refusal = admission.refusal(peer);
        this.decoder = new FrameDecoder(options.maxFrameBytes());
        this.token = options.token() == null ? null : options.token().getBytes(StandardCharsets.UTF_8);
        this.authDeadline = System.nanoTime() + options.authTimeout().toNanos();
        this.authenticated = token == null && options.users().isEmpty();
        chunks.takeInline(this::takeInline);
    }

    @Override
    protected void run() throws InterruptedException {
        try {
            boolean faulted = true;
            if (refusal != null) {
                fault(Wire.E_AUTH, refusal);
            } else {
                faulted = serve();
            }
            if (faulted) {
                linger();
            }
        } catch (InboxClosedException adapterEnded) {
            // the socket is gone: nobody to answer
        } finally {
            gate.shut();
            cancelAllWatches();
            endAdapterOutput();
        }
    }

    /** Tells the adapter nothing more will be written: it flushes, half-closes, and ends with the peer. */
    private void endAdapterOutput() {
        try {
            adapter.control.trySend(new ProducerFinished(this));
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
        setServing(true);
        try {
            return serveRequests();
        } finally {
            setServing(false);
        }
    }

    private void setServing(boolean on) {
        turn.lock();
        try {
            serving = on;
        } finally {
            turn.unlock();
        }
    }

    private boolean serveRequests() throws InterruptedException {
        long deadline = 0;
        for (;;) {
            Inbox<?> ready;
            if (inputEnded) {
                long left = deadline - System.nanoTime();
                ready = left > 0 ? select(Duration.ofNanos(left), results, ended, control) : null;
                if (ready == null) {
                    return false;
                }
            } else if (!authenticated) {
                long left = authDeadline - System.nanoTime();
                ready = left > 0 ? select(Duration.ofNanos(left), control, chunks) : null;
                if (ready == null) {
                    fault(Wire.E_AUTH, "no token within " + options.authTimeout().toMillis() + " ms of connecting");
                    return true;
                }
            } else {
                ready = inFlight.get() < options.maxInFlight()
                        ? select(results, ended, control, chunks)
                        : select(results, ended, control);
            }
            turn.lock();
            try {
                if (ready == control) {
                    Signal signal = control.poll();
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
                    byte[] reply = results.poll();
                    if (reply != WAKE) {
                        inFlight.decrementAndGet();
                        outbox.send(reply);
                    }
                } else if (ready == ended) {
                    watches.remove(ended.poll());
                } else {
                    decoder.feed(chunks.poll());
                }
                if (!decodeRequests()) {
                    return true;
                }
            } finally {
                turn.unlock();
            }
            if (inputEnded && inFlight.get() == 0) {
                return false;           // every request answered (a partial last frame is dropped)
            }
        }
    }

    /**
     * The inline taker of {@code chunks}, on the adapter's thread: handles {@code chunk} now and
     * returns true, or returns false and the chunk is queued for the connection's thread.
     */
    private boolean takeInline(byte[] chunk) {
        if (!turn.tryLock()) {
            return false;
        }
        try {
            if (!serving || !authenticated || handOver || inputEnded || !chunks.isEmpty()
                    || inFlight.get() >= options.maxInFlight()) {
                return false;
            }
            decoder.feed(chunk);
            boolean done;
            try {
                done = decodeInline();
            } catch (RuntimeException bug) {
                inlineFailure = bug;    // the connection's thread fails with it, as if it had met it
                done = false;
            }
            if (!done) {
                handOver = true;
                results.trySend(WAKE);
            }
            return true;
        } finally {
            turn.unlock();
        }
    }

    /**
     * Handles the ordinary requests among the complete frames received, without waiting; returns
     * false where it stopped at something for the connection's thread (see the comment above).
     */
    private boolean decodeInline() {
        while (inFlight.get() < options.maxInFlight()) {
            byte[] body;
            try {
                body = decoder.next();
            } catch (RuntimeException badFrame) {
                return false;           // the connection's thread meets it again, and faults
            }
            if (body == null) {
                return true;
            }
            byte[] now;
            try {
                Wire.In in = new Wire.In(body);
                if (in.type == Wire.AUTH || in.type == Wire.WATCH || in.type == Wire.CANCEL_WATCH) {
                    held = body;
                    return false;
                }
                now = answerNow(in);
            } catch (Wire.Malformed e) {
                held = body;
                return false;
            }
            if (now != null && !outbox.trySend(now)) {
                heldAnswer = now;
                return false;
            }
        }
        return false;
    }

    /**
     * Handles what the inline path left (see the comment above), then the complete frames received
     * so far; returns false after a protocol fault.
     */
    private boolean decodeRequests() throws InterruptedException {
        if (inlineFailure != null) {
            throw inlineFailure;
        }
        if (heldAnswer != null) {
            outbox.send(heldAnswer);
            heldAnswer = null;
        }
        while (inFlight.get() < options.maxInFlight()) {
            try {
                byte[] body = held != null ? held : decoder.next();
                held = null;
                if (body == null) {
                    handOver = false;
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
        Principal who = presented == null ? null : principalOf(presented);
        if (who == null) {
            return fault(Wire.E_AUTH, "wrong token");
        }
        principal = who;
        authenticated = true;
        outbox.send(new Wire.Out(Wire.R_DONE, in.id).frame());
        return true;
    }

    /**
     * The principal whose token was presented, or null. Every token is compared, each with
     * MessageDigest.isEqual (the same time wherever the first difference is), so the time taken
     * says nothing about which token nearly matched.
     */
    private Principal principalOf(byte[] presented) {
        Principal who = null;
        if (token != null && MessageDigest.isEqual(presented, token)) {
            who = Principal.OWNER;
        }
        for (Map.Entry<String, String> user : options.users().entrySet()) {
            if (MessageDigest.isEqual(presented, user.getValue().getBytes(StandardCharsets.UTF_8))) {
                who = new Principal(user.getKey());
            }
        }
        return who;
    }

    private boolean fault(byte code, String message) throws InterruptedException {
        LOG.log(Level.DEBUG, () -> "closing " + remote() + ": " + message);
        gate.shut();
        outbox.send(Wire.error(0, code, message));
        return false;
    }

    /** After a fault: drop the rest of the input until the peer closes, at most {@link #LINGER}. */
    private void linger() throws InterruptedException {
        cancelAllWatches();
        endAdapterOutput();
        if (inputEnded) {
            return;
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            Inbox<?> ready = left > 0 ? select(Duration.ofNanos(left), control, chunks) : null;
            if (ready == null) {
                adapter.shutdown();
                return;
            }
            if (ready == control) {
                control.poll();
                return;
            }
            chunks.poll();
        }
    }

    // ---------------------------------------------------------------- requests

    /**
     * Decodes one request frame into a {@link KvsRequest} and hands it to the {@link KvsDispatcher},
     * the same one the {@link KvsService} uses. Answers that are ready at once go out at once, in
     * request order; the rest go out through {@code results} when their futures complete.
     */
    private void handle(Wire.In in) throws InterruptedException {
        try {
            switch (in.type) {
                case Wire.AUTH -> {
                    in.bytes();
                    in.end();
                    outbox.send(new Wire.Out(Wire.R_DONE, in.id).frame());
                }
                case Wire.CANCEL_WATCH -> cancelWatch(in);
                case Wire.WATCH -> startWatch(in);
                default -> {
                    byte[] now = answerNow(in);
                    if (now != null) {
                        outbox.send(now);
                    }
                }
            }
        } catch (KvsException e) {
            outbox.send(Wire.error(in.id, e));
        }
    }

    /**
     * Decodes an ordinary request and hands it to the dispatcher, never waiting; returns its
     * answer if it is ready at once (a refusal included), else null: it goes out when ready.
     *
     * @throws Wire.Malformed if the frame does not decode
     */
    private byte[] answerNow(Wire.In in) {
        KvsRequest request;
        try {
            request = Wire.request(in, null);
            KvsDispatcher.dispatch(kvs, request, principal);
        } catch (KvsException e) {
            return Wire.error(in.id, e);
        }
        CompletableFuture<byte[]> frame = request.reply().handle((r, e) -> answer(in.type, in.id, r, e));
        if (frame.isDone()) {
            return frame.join();
        }
        later(frame);
        return null;
    }

    /**
     * Starts a watch whose events go straight to the socket ({@link WatchFrames}), answered at once;
     * its events wait until that answer has been sent.
     */
    private void startWatch(Wire.In in) throws InterruptedException {
        WatchFrames frames = new WatchFrames(in.id, adapter.inbox, ended, gate);
        try {
            KvsRequest request = Wire.request(in, frames);
            if (!mayStartWatch(in.id)) {
                return;
            }
            KvsDispatcher.dispatch(kvs, request, principal);
            outbox.send(request.reply().handle((r, e) -> answer(in.type, in.id, r, e)).join());
        } finally {
            frames.open();
        }
    }

    /**
     * Encodes a reply, or the refusal that failed it. A watch's start is answered at once, so it is
     * recorded here on the connection's own thread, before its end can be reported.
     */
    private byte[] answer(byte type, long id, KvsReply reply, Throwable failure) {
        if (failure != null) {
            return errorFrame(id, LocalNamespace.unwrap(failure));
        }
        try {
            if (reply instanceof KvsReply.WatchStarted w) {
                watches.put(id, w.watchId());
            }
            return Wire.reply(type, id, reply);
        } catch (RuntimeException e) {
            return errorFrame(id, e);
        }
    }

    private byte[] errorFrame(long id, RuntimeException failure) {
        if (failure instanceof KvsException k) {
            return Wire.error(id, k);
        }
        LOG.log(Level.WARNING, "a request from " + remote() + " failed", failure);
        return Wire.error(id, Wire.E_FAILED, "internal error: " + failure);
    }

    /**
     * Checks the connection's watch limit and the request id before a watch starts, having
     * forgotten the watches that ended before the client could ask (their ends went out after).
     */
    private boolean mayStartWatch(long id) throws InterruptedException {
        for (Long request; (request = ended.poll()) != null; ) {
            watches.remove(request);
        }
        if (watches.size() >= options.maxWatches()) {
            outbox.send(Wire.error(id, Wire.E_LIMIT, "this connection has " + watches.size()
                    + " watches open, the limit; cancel one first"));
            return false;
        }
        if (watches.containsKey(id)) {
            throw new Wire.Malformed("request id " + id + " already names an open watch");
        }
        return true;
    }

    /** Cancels a watch of this connection (by the id of the request that started it); others are not its to cancel. */
    private void cancelWatch(Wire.In in) throws InterruptedException {
        long watchRequest = in.i64();
        in.end();
        Long watchId = watches.get(watchRequest);
        if (watchId != null) {
            KvsDispatcher.dispatch(kvs, new KvsRequest.CancelWatch(watchId, new CompletableFuture<>()));
        }
        outbox.send(new Wire.Out(Wire.R_DONE, in.id).frame());
    }

    private void cancelAllWatches() {
        for (long watchId : watches.values()) {
            KvsDispatcher.dispatch(kvs, new KvsRequest.CancelWatch(watchId, new CompletableFuture<>()));
        }
    }

    /** Sends a reply frame once it is ready. */
    private void later(CompletableFuture<byte[]> frame) {
        inFlight.incrementAndGet();
        frame.thenAccept(this::replied);
    }

    /**
     * On the thread that completed a reply: queues it if that thread completes a batch of them
     * ({@link ReplyBatch}), else sends it at once ({@link #sendReplies}).
     */
    private void replied(byte[] frame) {
        if (!ReplyBatch.add(this, frame)) {
            sendReplies(List.of(frame));
        }
    }

    /**
     * Sends completed replies straight to the socket adapter, merged into one chunk, if its inbox has
     * room, else each through {@code results}; wakes the connection if it waits for a slot or for its
     * last reply.
     */
    void sendReplies(List<byte[]> frames) {
        try {
            if (!adapter.inbox.trySend(frames.size() == 1 ? frames.get(0) : merge(frames))) {
                for (byte[] frame : frames) {
                    results.trySend(frame);
                }
                return;
            }
            int left = inFlight.addAndGet(-frames.size());
            if (left < options.maxInFlight() && left + frames.size() >= options.maxInFlight() || left == 0 && inputEnded) {
                results.trySend(WAKE);
            }
        } catch (InboxClosedException gone) {
            // the client or the connection is gone; nobody to tell
        }
    }

    private static byte[] merge(List<byte[]> frames) {
        int length = 0;
        for (byte[] frame : frames) {
            length += frame.length;
        }
        byte[] merged = new byte[length];
        int at = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, merged, at, frame.length);
            at += frame.length;
        }
        return merged;
    }

    private String remote() {
        try {
            return String.valueOf(adapter.channel().getRemoteAddress());
        } catch (java.io.IOException e) {
            return "a closed connection";
        }
    }
}
