package dev.weft.actors.net;

import static javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS as a stage of a connection's pipeline, on one JDK {@link SSLEngine}: TLS records from the
 * socket come in on {@link #network} and their plaintext goes out of {@link #outbox}; plaintext that
 * comes in on {@link #inbox} goes out of {@link #toNetwork} as records. The handshake, a TLS 1.2
 * renegotiation, TLS 1.3 key updates and session tickets, and the closing alerts all happen inside.
 * A {@link SocketAdapter} made with a {@link Tls} spawns one as its child and passes its public boxes
 * through to it, so whoever links the adapter sees plaintext.
 *
 * <p>Ending. The socket's end of input (a {@link ProducerFinished} from the adapter) or the peer's
 * {@code close_notify} ends the plaintext input: {@code ProducerFinished} goes out on
 * {@link #signal}, after the last plaintext. The application's {@code ProducerFinished} (forwarded by
 * the adapter) makes the stage encrypt what is left, send {@code close_notify}, and then tell the
 * adapter to shut the socket's output down ({@link OutputClosed}): a half-close, so the peer may go
 * on sending. The stage finishes once both directions have ended, or when its adapter ends; a
 * {@link Shutdown} ends it at once. A TLS error (an untrusted certificate, bytes that are not TLS, a
 * handshake that does not complete within the {@link Tls#handshakeTimeout()}) ends it after the alert
 * that tells the peer why: it hands the adapter an {@link SSLException} that names the peer and the
 * reason ({@link Failed}), and the adapter fails with it.
 */
final class TlsFilter extends Component {
    /*
     * One pass of pump() does everything that needs no waiting, in four steps repeated until none
     * changes anything:
     *
     *   handshake  NEED_TASK: run the engine's delegated tasks here (certificate checks, key
     *              agreement; CPU work, fine on a virtual thread). NEED_WRAP: wrap a handshake or
     *              closing record, unless a record is already waiting for room downstream.
     *   inbound    while the engine is starved (netIn holds no whole record), take one chunk from
     *              `network`; unwrap every whole record into a pooled buffer and send its plaintext
     *              as one chunk. Stops when plaintext waits for room, or the engine needs a wrap or
     *              a task first.
     *   outbound   once the first handshake is done (later ones do not stop it), take up to GATHER chunks
     *              from `inbox` and wrap them (many small writes become one record), as many records
     *              as fit one pooled buffer, sent as one chunk.
     *   close      the application finished and everything it sent is wrapped: closeOutbound();
     *              once the engine's close_notify is sent, tell the adapter (OutputClosed).
     *
     * Back-pressure without parking. The stage never parks on a full inbox: it would deadlock with
     * an application parked on the stage's full inbox. Each direction holds at most one refused chunk
     * (unsentPlain, unsentCipher) and waits for a SpaceSignal before it takes more input, so a slow
     * reader on one side pauses the other side's reads all the way back to TCP flow control. Only
     * the boxes worth waiting for are selected: `network` only while the engine is starved and no
     * plaintext waits; `inbox` only while no record waits and the engine can take data.
     *
     * Memory. Between passes the stage holds only netIn, and only while it holds part of a record;
     * the other buffers are lent by BufferPool.TLS for one pass. So an idle TLS connection costs its
     * engine and its boxes, not 50 kB of buffers.
     */
    private static final System.Logger LOG = System.getLogger(TlsFilter.class.getName());
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** The most application chunks wrapped in one go. */
    private static final int GATHER = 16;
    /** Stop gathering once this many plaintext bytes are taken: one full record. */
    private static final int GATHER_BYTES = 16 * 1024;

    /** Tells the adapter that the last record, {@code close_notify}, is queued: shut the output down after it. */
    record OutputClosed() implements Signal {
    }

    /**
     * Hands the adapter a TLS error (the peer's certificate, a bad record, a timeout) to fail with; the
     * stage itself then finishes, so one bad connection is one failure in the log, not two.
     */
    record Failed(SSLException cause) implements Signal {
    }

    /** Plaintext to encrypt and send. */
    final Inbox<byte[]> inbox = inbox(byte[].class);
    /** Plaintext received. */
    final Outbox<byte[]> outbox = outbox(byte[].class);
    /** TLS records read from the socket. */
    final Inbox<byte[]> network = inbox("network", byte[].class, 4);
    /** TLS records to write to the socket. */
    final Outbox<byte[]> toNetwork = outbox("to-network", byte[].class);
    private final Inbox<Boolean> space = inbox("space", Boolean.class, 1);
    private final SpaceSignal spaceSignal = new SpaceSignal(space);
    private final SSLEngine engine;
    private final Component socket;
    private final String peer;
    private final Duration handshakeTimeout;
    private final ByteBuffer[] outgoing = new ByteBuffer[GATHER];
    private int outgoingFrom;
    private int outgoingTo;
    /** Records read but not yet unwrapped, in fill mode; null while empty (then it is back in the pool). */
    private ByteBuffer netIn;
    /** Whether the engine needs more bytes than netIn holds. */
    private boolean starved = true;
    private byte[] unsentPlain;
    private byte[] unsentCipher;
    private boolean handshaken;
    private boolean networkEnded;
    private boolean inboundDone;
    private boolean appFinished;
    private boolean closing;
    private boolean outboundDone;

    TlsFilter(SSLEngine engine, Component socket, String peer, Duration handshakeTimeout) {
        super("tls");
        this.engine = engine;
        this.socket = socket;
        this.peer = peer;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    protected void run() throws Exception {
        watch(socket);
        try {
            engine.beginHandshake();
            long deadline = System.nanoTime() + handshakeTimeout.toNanos();
            for (;;) {
                pump();
                if (inboundDone && outboundDone) {
                    return;
                }
                Inbox<?> ready;
                if (handshaken) {
                    ready = select(boxes());
                } else {
                    long left = deadline - System.nanoTime();
                    ready = left > 0 ? select(Duration.ofNanos(left), boxes()) : null;
                    if (ready == null) {
                        throw new SSLHandshakeException("TLS handshake with " + peer + " did not complete within "
                                + handshakeTimeout.toMillis() + " ms; closed the connection");
                    }
                }
                if (ready == control) {
                    if (!onSignal(control.poll())) {
                        return;
                    }
                } else if (ready == space) {
                    space.poll();
                    retryUnsent();
                }
            }
        } catch (SSLException e) {
            sendAlert();
            try {
                socket.control.trySend(new Failed(Tls.explain(e, peer, !handshaken)));
            } catch (InboxClosedException socketEnded) {
                LOG.log(Level.DEBUG, () -> "TLS with " + peer + " failed after its socket closed", e);
            }
        } finally {
            spaceSignal.release();
            if (netIn != null) {
                BufferPool.TLS.give(netIn);
                netIn = null;
            }
            if (!inboundDone) {
                announceEndOfInput();
            }
        }
    }

    /** The inboxes worth waiting on now. */
    private Inbox<?>[] boxes() {
        Inbox<?>[] boxes = new Inbox<?>[4];
        int n = 0;
        boxes[n++] = control;
        if (unsentPlain != null || unsentCipher != null) {
            boxes[n++] = space;
        }
        if (unsentPlain == null && (starved || inboundDone)) {
            boxes[n++] = network;
        }
        if (outboundDone || mayWrapApplicationData()) {
            boxes[n++] = inbox;
        }
        return n == boxes.length ? boxes : Arrays.copyOf(boxes, n);
    }

    /** Returns false when the stage must end now. */
    private boolean onSignal(Signal signal) {
        if (signal instanceof Shutdown) {
            return false;
        }
        if (signal instanceof ProducerFinished finished) {
            if (finished.producer() == socket) {
                networkEnded = true;
            } else {
                appFinished = true;
            }
        } else if (signal instanceof Terminated t && t.component() == socket) {
            networkEnded = true;             // the socket is closed: nothing more comes, nothing more goes
            outputGone();
        }
        return true;
    }

    private void pump() throws SSLException {
        boolean progress;
        do {
            progress = handshake() | inbound() | outbound() | close();
        } while (progress && !(inboundDone && outboundDone));
    }

    // ---------------------------------------------------------------- handshake

    private boolean handshake() throws SSLException {
        HandshakeStatus status = engine.getHandshakeStatus();
        if (status == NEED_TASK) {
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
            return true;
        }
        return status == NEED_WRAP && unsentCipher == null && !outboundDone && wrap(false);
    }

    private void noteHandshake(SSLEngineResult result) {
        if (result.getHandshakeStatus() == FINISHED && !handshaken) {
            handshaken = true;
            LOG.log(Level.DEBUG, () -> "TLS with " + peer + ": " + engine.getSession().getProtocol() + " "
                    + engine.getSession().getCipherSuite());
        }
    }

    // ---------------------------------------------------------------- inbound: records to plaintext

    private boolean inbound() throws SSLException {
        if (unsentPlain != null) {
            return false;
        }
        if (inboundDone) {
            boolean dropped = false;          // the peer closed its side: what still comes is dropped
            while (network.poll() != null) {
                dropped = true;
            }
            return dropped;
        }
        if (engine.isInboundDone()) {
            endInbound();                      // the peer's close_notify, after its last plaintext
            return true;
        }
        boolean fed = false;
        if (starved) {
            byte[] chunk = network.poll();
            if (chunk == null) {
                return networkEnded && endOfNetwork();
            }
            feed(chunk);
            fed = true;
        }
        boolean unwrapped = unwrap();
        if (!fed && !unwrapped && networkEnded && outboundDone && network.isEmpty()) {
            return endOfNetwork();             // records are left that need a wrap the socket can no longer take
        }
        return fed | unwrapped;
    }

    private void feed(byte[] chunk) {
        if (netIn == null) {
            netIn = BufferPool.TLS.take();
        }
        if (netIn.remaining() < chunk.length) {
            ByteBuffer grown = ByteBuffer.allocate(netIn.position() + chunk.length);
            grown.put(netIn.flip());
            BufferPool.TLS.give(netIn);
            netIn = grown;
        }
        netIn.put(chunk);
        starved = false;
    }

    /** Unwraps every whole record in netIn that it can; returns whether it consumed or produced anything. */
    private boolean unwrap() throws SSLException {
        if (netIn == null) {
            starved = true;
            return false;
        }
        ByteBuffer plain = BufferPool.TLS.take();
        boolean progress = false;
        netIn.flip();
        try {
            unwrapping:
            while (netIn.hasRemaining()) {
                SSLEngineResult r = engine.unwrap(netIn, plain);
                noteHandshake(r);
                switch (r.getStatus()) {
                    case OK -> {
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                            break unwrapping;           // the engine wants a wrap or a task first
                        }
                        progress = true;
                        if (r.getHandshakeStatus() == NEED_TASK || r.getHandshakeStatus() == NEED_WRAP) {
                            break unwrapping;
                        }
                    }
                    case BUFFER_UNDERFLOW -> {
                        starved = true;
                        break unwrapping;
                    }
                    case BUFFER_OVERFLOW -> {
                        if (plain.position() > 0) {
                            break unwrapping;           // send what we have, come back for the rest
                        }
                        plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
                    }
                    case CLOSED -> {
                        progress = true;
                        break unwrapping;
                    }
                }
            }
            if (!netIn.hasRemaining()) {
                starved = true;
            }
        } finally {
            netIn.compact();
            if (netIn.position() == 0) {
                BufferPool.TLS.give(netIn);
                netIn = null;
            }
        }
        if (plain.position() > 0) {
            byte[] chunk = new byte[plain.position()];
            plain.flip().get(chunk);
            sendPlain(chunk);
        }
        BufferPool.TLS.give(plain);
        return progress;
    }

    /**
     * The socket's input ended and every record it brought is unwrapped. Before the handshake is done
     * that is an error; after it, an end without {@code close_notify} ends the input like one (the
     * application's own framing must tell a cut-off message, as with plain TCP).
     */
    private boolean endOfNetwork() throws SSLException {
        if (!handshaken) {
            throw new SSLHandshakeException(peer + " closed the connection before the TLS handshake completed");
        }
        LOG.log(Level.DEBUG, () -> "TLS with " + peer + ": the connection ended without close_notify");
        endInbound();
        return true;
    }

    private void endInbound() {
        inboundDone = true;
        if (netIn != null) {
            BufferPool.TLS.give(netIn);
            netIn = null;
        }
        if (signal.isLinked()) {
            announceEndOfInput();
        } else {
            appFinished = true;                // nobody hears of the end: our output ends with it
        }
    }

    private void announceEndOfInput() {
        try {
            signal.trySend(new ProducerFinished(this));
        } catch (InboxClosedException downstreamEnded) {
            // nobody left to tell
        }
    }

    private void sendPlain(byte[] chunk) {
        if (!spaceSignal.offer(outbox, chunk)) {
            unsentPlain = chunk;
        }
    }

    // ---------------------------------------------------------------- outbound: plaintext to records

    /**
     * Whether application data may be wrapped now: after the first handshake, and also during a later
     * one (a TLS 1.2 renegotiation, a TLS 1.3 key update), which the engine allows and which must not
     * wait for the application: an application whose writes wait stops reading, and the handshake
     * needs its reads.
     */
    private boolean mayWrapApplicationData() {
        return handshaken && !closing && !outboundDone && unsentCipher == null
                && engine.getHandshakeStatus() != NEED_TASK;
    }

    private boolean outbound() throws SSLException {
        if (outboundDone) {
            boolean dropped = false;          // the socket is gone: what the application still sends is dropped
            while (inbox.poll() != null) {
                dropped = true;
            }
            return dropped;
        }
        if (!mayWrapApplicationData() || (outgoingFrom == outgoingTo && !takeOutgoing())) {
            return false;
        }
        return wrap(true);
    }

    private boolean takeOutgoing() {
        outgoingFrom = 0;
        outgoingTo = 0;
        int bytes = 0;
        byte[] chunk;
        while (outgoingTo < GATHER && bytes < GATHER_BYTES && (chunk = inbox.poll()) != null) {
            outgoing[outgoingTo++] = ByteBuffer.wrap(chunk);
            bytes += chunk.length;
        }
        return outgoingTo > 0;
    }

    /**
     * Wraps application data (or, with {@code applicationData} false, the records the handshake or the
     * close needs) into as many records as fit one pooled buffer, and sends them as one chunk. Returns
     * whether it produced anything.
     */
    private boolean wrap(boolean applicationData) throws SSLException {
        ByteBuffer records = BufferPool.TLS.take();
        try {
            for (;;) {
                SSLEngineResult r = applicationData
                        ? engine.wrap(outgoing, outgoingFrom, outgoingTo - outgoingFrom, records)
                        : engine.wrap(NOTHING, records);
                noteHandshake(r);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (records.position() > 0) {
                        break;                       // send these, come back for the rest
                    }
                    BufferPool.TLS.give(records);
                    records = ByteBuffer.allocate(2 * engine.getSession().getPacketBufferSize());
                    continue;
                }
                if (applicationData) {
                    while (outgoingFrom < outgoingTo && !outgoing[outgoingFrom].hasRemaining()) {
                        outgoing[outgoingFrom++] = null;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        dropOutgoing();              // the engine closed its output (the peer's TLS 1.2 close)
                        break;
                    }
                }
                boolean more = applicationData
                        ? outgoingFrom < outgoingTo && engine.getHandshakeStatus() != NEED_TASK
                        : engine.getHandshakeStatus() == NEED_WRAP;
                if (r.bytesProduced() == 0 || !more
                        || records.remaining() < engine.getSession().getPacketBufferSize()) {
                    break;
                }
            }
            if (records.position() == 0) {
                return false;
            }
            byte[] chunk = new byte[records.position()];
            records.flip().get(chunk);
            sendCipher(chunk);
            return true;
        } finally {
            BufferPool.TLS.give(records);
        }
    }

    private void dropOutgoing() {
        Arrays.fill(outgoing, null);
        outgoingFrom = 0;
        outgoingTo = 0;
    }

    private void sendCipher(byte[] chunk) {
        try {
            if (!spaceSignal.offer(toNetwork, chunk)) {
                unsentCipher = chunk;
            }
        } catch (InboxClosedException socketEnded) {
            outputGone();
        }
    }

    /** The socket can take nothing more: the output has ended, whatever is still to send is dropped. */
    private void outputGone() {
        unsentCipher = null;
        dropOutgoing();
        outboundDone = true;
    }

    private void retryUnsent() {
        if (unsentPlain != null) {
            byte[] chunk = unsentPlain;
            unsentPlain = null;
            sendPlain(chunk);
        }
        if (unsentCipher != null) {
            byte[] chunk = unsentCipher;
            unsentCipher = null;
            sendCipher(chunk);
        }
    }

    // ---------------------------------------------------------------- closing

    private boolean close() {
        if (outboundDone || unsentCipher != null) {
            return false;
        }
        if (appFinished && !closing && outgoingFrom == outgoingTo && inbox.isEmpty()) {
            engine.closeOutbound();           // the next wrap makes close_notify
            closing = true;
            return true;
        }
        if (engine.isOutboundDone()) {
            outboundDone = true;
            try {
                socket.control.trySend(new OutputClosed());
            } catch (InboxClosedException socketEnded) {
                // closed already
            }
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- errors

    /** After an error the engine holds the alert that tells the peer why; send it if the socket still takes it. */
    private void sendAlert() {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        try {
            engine.closeOutbound();
            while (engine.wrap(NOTHING, records).bytesProduced() > 0 && records.remaining() > 0) {
                // the alert, and close_notify if the engine adds one
            }
        } catch (SSLException | RuntimeException alreadyFailed) {
            // nothing more to say
        }
        if (records.position() > 0) {
            try {
                toNetwork.trySend(Arrays.copyOf(records.array(), records.position()));
            } catch (InboxClosedException socketEnded) {
                // the socket is gone
            }
        }
    }
}
