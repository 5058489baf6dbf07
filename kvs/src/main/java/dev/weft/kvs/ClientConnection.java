package dev.weft.kvs;

import dev.weft.actors.net.Tls;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One socket of a {@link KvsClient}: requests pipelined on it, replies matched by request id, watch
 * events delivered. A client replaces a connection that has failed with a new one on its next call.
 * With TLS it is the JDK's {@link SSLSocket} layered over the TCP socket, configured by the client's
 * {@link Tls}; a blocking client needs no more.
 */
final class ClientConnection {
    /*
     * Threads. Callers write request frames through the FrameWriter (which merges the frames of
     * callers that come while another writes) and wait on a future in `pending`, keyed
     * by request id. The reader thread is the only one that reads the socket, completes futures with
     * replies, and touches a RemoteWatch: it marks a watch started when its WATCHING reply arrives,
     * delivers its events, and, once the connection has ended for whatever reason, ends every started
     * watch with Ended(CLOSED) after the last event it delivered. So watch callbacks run on one thread,
     * in order, never after their Ended, and each watch ends once.
     *
     * Ending. fail() may run on any thread (close(), the reader): it records the first
     * failure, closes the socket and fails every pending future with it. Closing the socket wakes the
     * reader, which then ends the watches and exits. A request made after the failure is recorded
     * fails at once; one racing with it is failed by the sweep, since it registers before it checks.
     * fail() closes the TCP socket, never the SSLSocket over it: closing an SSLSocket sends
     * close_notify under the lock a writer blocked on a full socket holds, so it could wait forever.
     * The server reads the end of the TCP stream as the end of the client's input.
     *
     * What a pending call learns. A reply that never comes leaves the call's outcome unknown, so a
     * lost connection fails pending calls with OutcomeUnknownException, and so does a call's deadline
     * (CallDeadlines: one timer for all the calls, which then wait untimed); a call that times out or
     * whose caller stops waiting (interrupted) is forgotten, and a late reply is dropped. The one exception is a protocol
     * fault the server reported (an ERROR with id 0): the server answers every request before the bad
     * frame and executes none after it, so what is still pending was refused, with that error.
     */
    /** The TCP socket: what fail() closes. */
    private final Socket tcp;
    private final InputStream in;
    private final FrameWriter writer;
    private final InetSocketAddress address;
    private final boolean tls;
    /** Bytes the reader takes from the socket at once (it reads a frame's header, then its body). */
    private static final int READ_BUFFER = 64 * 1024;
    private static final Duration LONGEST_TIMEOUT = Duration.ofNanos(Long.MAX_VALUE / 2);
    private final Map<Long, Call> pending = new ConcurrentHashMap<>();
    private final CallDeadlines deadlines;
    private final Map<Long, RemoteWatch> watches = new ConcurrentHashMap<>();
    private final AtomicReference<KvsException> failure = new AtomicReference<>();

    private ClientConnection(Socket tcp, Socket socket, InetSocketAddress address) throws IOException {
        this.tcp = tcp;
        this.tls = socket != tcp;
        this.in = new BufferedInputStream(socket.getInputStream(), READ_BUFFER);
        this.writer = new FrameWriter(socket.getOutputStream());
        this.address = address;
        this.deadlines = new CallDeadlines(pending);
        Thread.ofVirtual().name("weft-kvs-client-reader").start(this::read);
    }

    /**
     * Opens a TCP connection and, with {@code tls}, completes the TLS handshake, all within
     * {@code timeout} (the token comes after, from the client).
     *
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails; its message names the
     *     server and the reason
     */
    static ClientConnection open(InetSocketAddress address, Tls tls, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(address, millisLeft(deadline));
            Socket socket = tcp;
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.context().getSocketFactory()
                        .createSocket(tcp, address.getHostString(), address.getPort(), true);
                ssl.setSSLParameters(tls.parameters());
                ssl.setSoTimeout(millisLeft(deadline));
                try {
                    ssl.startHandshake();
                } catch (SSLException e) {
                    throw Tls.explain(e, String.valueOf(address), true);
                }
                ssl.setSoTimeout(0);
                socket = ssl;
            }
            return new ClientConnection(tcp, socket, address);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    private static int millisLeft(long deadline) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }

    /** Returns whether the connection has not failed or been closed. */
    boolean isOpen() {
        return failure.get() == null;
    }

    /**
     * A request waiting for its reply: with a {@code timeout}, failed by the connection at its
     * {@code deadline} ({@link System#nanoTime}) if no reply has come; with none, it waits as long as
     * the connection lives.
     */
    record Call(CompletableFuture<Wire.In> reply, Duration timeout, long deadline, String what) {
        OutcomeUnknownException unanswered() {
            return KvsClient.noAnswer(what, timeout);
        }
    }

    /** Sends a request frame; the future completes with the reply (an error reply fails it), with no time limit. */
    CompletableFuture<Wire.In> request(long id, Wire.Out request) {
        return request(id, request, null, null);
    }

    /**
     * Sends a request frame; the future completes with the reply (an error reply fails it), or, if
     * none has come within {@code timeout}, fails with {@link OutcomeUnknownException} saying that
     * {@code what} had no answer, and the request is forgotten.
     */
    CompletableFuture<Wire.In> request(long id, Wire.Out request, Duration timeout, String what) {
        CompletableFuture<Wire.In> reply = new CompletableFuture<>();
        Call call = new Call(reply, timeout, timeout == null ? 0 : System.nanoTime() + nanos(timeout), what);
        pending.put(id, call);
        KvsException failed = failure.get();
        if (failed != null) {
            pending.remove(id);
            reply.completeExceptionally(failed);
            return reply;
        }
        if (timeout != null) {
            deadlines.added(call);
        }
        writer.write(request.frame());
        return reply;
    }

    /** {@code timeout} in nanoseconds, at most about 146 years, so a deadline never overflows. */
    static long nanos(Duration timeout) {
        return timeout.compareTo(LONGEST_TIMEOUT) > 0 ? LONGEST_TIMEOUT.toNanos() : timeout.toNanos();
    }

    /** Stops waiting for request {@code id}: a reply that still comes is dropped. */
    void forget(long id) {
        pending.remove(id);
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

    private OutcomeUnknownException lost(String why, Throwable cause) {
        return new OutcomeUnknownException("lost the connection to " + address + " (" + why
                + "); a call still waiting may or may not have taken effect", cause);
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
                    fail(lost("the server closed it", null));
                    return;
                }
                int length = header.getInt(0);
                if (looksLikeTls(header)) {
                    fail(new OutcomeUnknownException("the server at " + address + " speaks TLS; connect with TLS "
                            + "(KvsClientOptions.withTls, weft kvs --tls)"));
                    return;
                }
                if (length < Wire.MIN_BODY || length > KvsClient.MAX_FRAME_BYTES) {
                    fail(new OutcomeUnknownException("protocol error: the server at " + address + " sent a frame of "
                            + length + " bytes; a call still waiting may or may not have taken effect"));
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                if (!readFully(body)) {
                    fail(lost("the server closed it mid-frame", null));
                    return;
                }
                dispatch(new Wire.In(body.array()));
            }
        } catch (Wire.Malformed e) {
            fail(new OutcomeUnknownException("protocol error: cannot decode a frame from " + address + ": "
                    + e.getMessage() + "; a call still waiting may or may not have taken effect", e));
        } catch (IOException | RuntimeException e) {
            fail(lost(String.valueOf(e.getMessage()), e));
        }
    }

    /**
     * Whether a plain connection's first bytes are a TLS record (an alert or a handshake record of
     * TLS 1.0-1.3) rather than a frame: a frame that long is over every limit anyway.
     */
    private boolean looksLikeTls(ByteBuffer header) {
        byte type = header.get(0);
        return !tls && (type == 0x15 || type == 0x16) && header.get(1) == 0x03 && header.get(2) <= 0x04;
    }

    private boolean readFully(ByteBuffer buffer) throws IOException {
        int n = in.readNBytes(buffer.array(), buffer.position(), buffer.remaining());
        buffer.position(buffer.position() + n);
        return !buffer.hasRemaining();
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
            // A protocol fault: the server executes nothing after the bad frame and closes.
            failure.compareAndSet(null, Wire.error(in));
            return;
        }
        Call call = pending.remove(in.id);
        if (call == null) {
            return;
        }
        CompletableFuture<Wire.In> reply = call.reply();
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
    void fail(KvsException why) {
        failure.compareAndSet(null, why);
        KvsException cause = failure.get();
        try {
            tcp.close();
        } catch (IOException e) {
            System.getLogger(ClientConnection.class.getName()).log(System.Logger.Level.DEBUG, "closing the socket failed", e);
        }
        deadlines.stop();
        pending.keySet().forEach(id -> {
            Call call = pending.remove(id);
            if (call != null) {
                call.reply().completeExceptionally(cause);
            }
        });
    }
}
