package dev.weft.actors.net;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.io.ChannelHandle;
import dev.weft.runtime.io.Readiness;
import dev.weft.runtime.io.SelectorService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connected socket as a component (Kamaelia's ConnectedSocketAdapter): the bytes it reads go to
 * {@link #outbox} in chunks, the chunks that arrive on {@link #inbox} are written to the socket.
 *
 * <pre>{@code
 * adapter.outbox.linkTo(adapter.inbox);            // an echo
 * adapter.signal.linkTo(adapter.control);      // the peer's end of input ends our output
 * }</pre>
 *
 * <p>The hot path is short, and on plain TCP it needs no hand-off. When the selector reports the
 * socket readable while the adapter waits, the selector's own thread does the adapter's reading, as
 * Netty's event loop does: it reads until a read comes back short, sends each chunk on, and re-arms
 * the selector, which costs no system call on the epoll backend. A chunk sent to {@link #inbox}
 * while nothing waits there and nothing is partly written is written by the sender's own thread,
 * inside its send. Both use {@link Inbox#takeInline}; neither ever waits, and whatever they cannot
 * do at once (a full downstream inbox, a socket that takes only part of a chunk, the end of input)
 * is left to the adapter's own thread, which reads and writes in the same way. Only what the socket
 * does not take is kept, and nothing more is written until the socket is writable again.
 *
 * <p>Nothing is buffered without bound. While the inbox {@code outbox} is linked to is full, the
 * adapter stops reading (the kernel's receive buffer, then TCP flow control, push back on the peer)
 * and asks that inbox to tell it when it has room ({@link Inbox#onSpace}); it polls nothing. While
 * the socket's send buffer is full it stops taking from {@link #inbox}, so its senders park on the
 * full inbox. It holds at most one chunk read and one chunk partly written.
 *
 * <p>Ending. When the peer shuts down its output (end of stream), the adapter sends
 * {@link ProducerFinished} on its {@link #signal} and stops reading; when its own input is finished
 * ({@code ProducerFinished} on {@link #control}, or at once if its signal outbox is linked to
 * nothing), it writes what it holds, shuts down its output, and once both directions are done it
 * finishes. {@link Shutdown} closes the socket at once. A reset or any other I/O error fails the
 * adapter with that exception as the {@code Terminated} cause. However it ends, the socket is closed
 * and {@code ProducerFinished} goes out on {@code signal}.
 *
 * <p>A chunk is a {@code byte[]} that changes hands: the adapter never touches an array again after
 * sending it, and a sender must not touch one it has sent. The adapter writes a chunk it takes
 * without copying it; it reads into a pooled direct buffer and copies each read once, into a chunk
 * of exactly the bytes read.
 *
 * <p>TLS. An adapter made by a {@link TcpServer} or {@link TcpClient} configured with a {@link Tls}
 * spawns a TLS stage as its child and puts it between the socket and its public boxes:
 * {@link #inbox} passes through to the stage, which encrypts; the stage sends what it decrypts out of
 * {@link #outbox} and its end of input out of {@link #signal}. Whoever links the adapter sees
 * plaintext, and the boxes behave as above. {@code ProducerFinished} on {@link #control} makes the
 * stage send {@code close_notify} before the socket's output is shut down. A TLS error (an untrusted
 * certificate, bytes that are not TLS, a handshake that does not complete in time) fails the adapter
 * with an {@link javax.net.ssl.SSLException} that names the peer and the reason. {@link #bytesRead()}
 * and {@link #bytesWritten()} count the bytes on the socket, TLS records included.
 */
public final class SocketAdapter extends Component {
    /*
     * Who does the I/O. All the adapter's state below belongs to whoever holds `turn`. Its own
     * virtual thread holds it from the moment it wakes until it waits again; while it waits (`idle`),
     * two inline takers (Inbox.takeInline) may take it, for plain TCP only:
     *   - On `readiness`, on the selector loop's thread: a readiness for this handle, with
     *     nothing queued before it, nothing refused downstream and nothing partly written, is
     *     handled there and then, as Netty's event loop does: the adapter reads (readSome), sends the
     *     chunks on (a downstream inbox's own inline taker may handle them on the same thread) and
     *     re-arms. It never waits: a full downstream inbox leaves the chunk `unsent`, as on the
     *     adapter's thread.
     *   - On `inbox`, on the sender's thread: a chunk with nothing queued before it and nothing
     *     partly written is written at once (non-blocking); what the socket does not take stays in
     *     `writing` and OP_WRITE is armed.
     * An echo (outbox linked to its own inbox) read on the loop's thread re-enters the write taker
     * there, holding the turn while the adapter still waits, and writes each chunk as it reads it;
     * read on the adapter's own thread, its chunks are queued (the runtime never calls a taker on
     * the owner's thread) and written by it next.
     * Either leaves the adapter's thread a `poke` when the state it waits on changed (more to read,
     * a chunk refused, a partial write, the end of input, an I/O error, kept in `failure` for it to
     * throw): `poke` is in every set the adapter waits on, so it re-reads its state and waits on the
     * right inboxes again. A taker that finds `turn` held by another thread (the adapter's is busy)
     * refuses, and the message is queued as before; so does the readiness taker re-entered on the
     * loop's thread (an arm inside readSome that fired at once). The adapter's thread never holds
     * `turn` while it waits, and takers never wait for it, so no thread blocks another.
     */
    /** Reads in a row before the adapter looks at its inboxes again (it does not wait in between). */
    private static final int READS_PER_TURN = 16;

    /** Chunks to write to the socket. */
    public final Inbox<byte[]> inbox = inbox(byte[].class);
    /** Chunks read from the socket, one per read. */
    public final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
    /** Told when the inbox downstream has room again for a chunk it refused. */
    private final Inbox<Boolean> space = inbox("space", Boolean.class, 1);
    /** Told by an inline taker that the state the adapter waits on has changed. */
    private final Inbox<Boolean> poke = inbox("poke", Boolean.class, 1);
    /** Held by whoever does the adapter's I/O (see the comment above). */
    private final ReentrantLock turn = new ReentrantLock();
    /** True while the adapter's thread waits and inline takers may act; guarded by turn. */
    private boolean idle;
    /**
     * What failed the selector loop's reading (an I/O error, a downstream inbox that has closed), for
     * the adapter's thread to fail with, as if it had met it itself; guarded by turn.
     */
    private Exception failure;
    /** The callback left at a full downstream inbox; let go of when the adapter ends. */
    private final SpaceSignal spaceSignal = new SpaceSignal(space);
    private final SocketChannel channel;
    /** The TLS stage between the socket and the public boxes, or null for plain TCP. */
    private final TlsFilter tls;
    /** The chunks the adapter writes: {@link #inbox}'s, or with TLS the stage's records. */
    private final Inbox<byte[]> writes;
    /** Where the chunks the adapter reads go: {@link #outbox}, or with TLS the stage's records inbox. */
    private final Outbox<byte[]> reads;
    private final Inbox<?>[] waitReading;
    private final Inbox<?>[] waitWriting;
    private final Inbox<?>[] waitSpaceReading;
    private final Inbox<?>[] waitSpaceWriting;
    private ChannelHandle handle;
    /** Whether the socket may have bytes to read: true until a read comes back short. */
    private boolean readable = true;
    /** A chunk read but refused by the full downstream inbox; reading waits until it is taken. */
    private byte[] unsent;
    /** A chunk partly written; taking from the inbox waits until the socket takes the rest. */
    private ByteBuffer writing;
    private boolean inputEnded;
    private boolean upstreamFinished;
    private boolean outputEnded;
    private boolean shutDown;
    private volatile long bytesRead;
    private volatile long bytesWritten;

    /** Adapts a connected socket; the adapter owns and closes it. */
    public SocketAdapter(SocketChannel channel) {
        this(channel, null, null);
    }

    /**
     * Adapts a connected socket that speaks TLS with {@code peer} through a TLS stage made from
     * {@code config} (server or client side, as the configuration says), or plain TCP if it is null.
     */
    SocketAdapter(SocketChannel channel, Tls config, InetSocketAddress peer) {
        this.channel = channel;
        if (config == null) {
            this.tls = null;
            this.writes = inbox;
            this.reads = outbox;
        } else {
            this.tls = new TlsFilter(config.engine(peer), this, String.valueOf(peer), config.handshakeTimeout());
            this.writes = inbox("records-to-write", byte[].class);
            this.reads = outbox("records-read", byte[].class);
            reads.linkTo(tls.network);
            tls.toNetwork.linkTo(writes);
            inbox.passThrough(tls.inbox);
            tls.outbox.passThrough(outbox);
            tls.signal.passThrough(signal);
        }
        this.waitReading = new Inbox<?>[] {readiness, control, poke, writes};
        this.waitWriting = new Inbox<?>[] {readiness, control, poke};
        this.waitSpaceReading = new Inbox<?>[] {readiness, control, poke, space, writes};
        this.waitSpaceWriting = new Inbox<?>[] {readiness, control, poke, space};
        if (tls == null) {
            readiness.takeInline(this::readInline);
            inbox.takeInline(this::writeInline);
        }
    }

    /** Returns the socket. */
    public SocketChannel channel() {
        return channel;
    }

    /** Returns how many bytes the adapter has read from the socket so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Returns how many bytes the adapter has written to the socket so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Takes over a channel already registered with the selector (the client's connect). Before spawn. */
    void adopt(ChannelHandle registered) {
        this.handle = registered;
    }

    Inbox<Readiness> readiness() {
        return readiness;
    }

    @Override
    protected void run() throws Exception {
        try {
            if (handle == null) {
                handle = SelectorService.of(runtime()).register(channel, readiness);
            }
            if (tls != null) {
                spawn(tls);
            }
            serve();
        } catch (IOException e) {
            if (PeerGone.test(e)) {
                failureLogLevel(System.Logger.Level.DEBUG);   // the peer went away: an ordinary end
            }
            throw e;
        } finally {
            spaceSignal.release();
            if (handle != null) {
                handle.close();
            } else {
                channel.close();
            }
            if (tls != null) {
                if (shutDown) {
                    tls.shutdown();          // at once; otherwise it sees this adapter end and finishes
                }
            } else if (!inputEnded) {
                announceEndOfInput();
            }
        }
    }

    private void serve() throws Exception {
        turn.lock();
        try {
            for (;;) {
                if (failure != null) {
                    throw failure;
                }
                if (mayRead()) {
                    readSome();
                }
                endOutputIfDrained();
                if (inputEnded && outputEnded) {
                    return;     // checked before waiting: the read just now may have ended the input
                }
                Inbox<?> ready = mayRead() ? anyReady() : awaitTurn(boxes());
                if (ready == control) {
                    if (!onSignal(control.poll())) {
                        return;
                    }
                } else if (ready == readiness) {
                    onReadiness(readiness.poll());
                } else if (ready == space) {
                    space.poll();
                    retryUnsent();
                } else if (ready == poke) {
                    poke.poll();
                } else if (ready == writes && writing == null) {
                    write(writes.poll());        // (a direct write may have left a rest meanwhile)
                }
            }
        } finally {
            turn.unlock();
        }
    }

    /** Input finished: once every chunk is written, shuts the socket's output. */
    private void endOutputIfDrained() throws IOException {
        if (upstreamFinished && !outputEnded && writing == null && writes.isEmpty()) {
            channel.shutdownOutput();
            outputEnded = true;
        }
    }

    /**
     * Lets go of the turn and waits on {@code boxes}; inline takers may act meanwhile. Returns the
     * inbox that has a message, holding the turn again.
     */
    private Inbox<?> awaitTurn(Inbox<?>[] boxes) throws InterruptedException {
        idle = true;
        turn.unlock();
        try {
            return select(boxes);
        } finally {
            turn.lock();
            idle = false;
        }
    }

    /**
     * The inline taker of {@link #readiness}, on the selector loop's thread: reads now and returns
     * true, or returns false and the readiness is queued for the adapter's thread.
     */
    private boolean readInline(Readiness r) {
        if (turn.isHeldByCurrentThread() || !turn.tryLock()) {
            return false;
        }
        try {
            if (!idle || !readiness.isEmpty() || r.handle() != handle || unsent != null || writing != null
                    || inputEnded || failure != null) {
                return false;
            }
            onReadiness(r);
            if (mayRead()) {
                readSome();
            }
            if (readable || unsent != null || writing != null || inputEnded) {
                pokeOwner();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            pokeOwner();
        } finally {
            turn.unlock();
        }
        return true;
    }

    /**
     * The inline taker of {@link #inbox}, on the sender's thread: writes the chunk now and returns
     * true, or returns false and it is queued for the adapter's thread.
     */
    private boolean writeInline(byte[] chunk) {
        if (!turn.tryLock()) {
            return false;
        }
        try {
            if (!idle || !writes.isEmpty() || writing != null || upstreamFinished || outputEnded || failure != null) {
                return false;
            }
            write(chunk);
            if (writing != null) {
                pokeOwner();
            }
            return true;
        } catch (IOException e) {
            return false;                   // queued: the adapter's own write meets the error
        } finally {
            turn.unlock();
        }
    }

    private void pokeOwner() {
        poke.trySend(Boolean.TRUE);
    }

    private boolean mayRead() {
        return readable && unsent == null && !inputEnded;
    }

    /** The inboxes worth waiting on now: the inbox only while the socket can take more. */
    private Inbox<?>[] boxes() {
        boolean takeMore = writing == null && !outputEnded;
        if (unsent != null) {
            return takeMore ? waitSpaceReading : waitSpaceWriting;
        }
        return takeMore ? waitReading : waitWriting;
    }

    /** Returns an inbox of {@link #boxes()} that has a message, without waiting; null if none has. */
    private Inbox<?> anyReady() {
        for (Inbox<?> box : boxes()) {
            if (!box.isEmpty()) {
                return box;
            }
        }
        return null;
    }

    private void onReadiness(Readiness r) throws IOException {
        if (r.handle() != handle) {
            return;
        }
        int ops = r.ops();
        if ((ops & OP_WRITE) != 0) {
            flush();
        }
        if ((ops & OP_READ) != 0) {
            readable = true;
        }
    }

    /** Returns false when the adapter must end now. */
    private boolean onSignal(Signal signal) throws IOException {
        if (signal instanceof Shutdown) {
            shutDown = true;
            return false;
        }
        if (tls == null) {
            if (signal instanceof ProducerFinished) {
                upstreamFinished = true;
            }
            return true;
        }
        switch (signal) {
            case ProducerFinished applicationDone -> tell(tls, applicationDone);   // close_notify first
            case TlsFilter.OutputClosed closed -> upstreamFinished = true;
            case TlsFilter.Failed failed -> throw tlsFailed(failed.cause());
            case Terminated t when t.component() == tls -> {
                if (t.failed()) {
                    throw tlsFailed(t.cause());
                }
                inputEnded = true;                // the session is over: nothing more to read for anyone
            }
            default -> {
            }
        }
        return true;
    }

    /** Writes what the socket takes at once (the alert that tells the peer why), and returns the error to fail with. */
    private IOException tlsFailed(Throwable cause) {
        try {
            flush();
            for (byte[] chunk; writing == null && (chunk = writes.poll()) != null; ) {
                write(chunk);
            }
        } catch (IOException alsoFailed) {
            cause.addSuppressed(alsoFailed);
        }
        return cause instanceof IOException io ? io : new IOException("the TLS stage of " + name() + " failed", cause);
    }

    private static void tell(Component component, Signal signal) {
        try {
            component.control.trySend(signal);
        } catch (InboxClosedException ended) {
            // it has ended: nothing to tell
        }
    }

    /**
     * Reads up to {@value #READS_PER_TURN} times. A short read means the socket had no more: the
     * adapter arms for the next readiness. A full last read leaves {@code readable} set, so the
     * adapter looks at its inboxes and comes back without waiting.
     */
    private void readSome() throws IOException {
        ByteBuffer buffer = BufferPool.READS.take();
        try {
            for (int i = 0; i < READS_PER_TURN; i++) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    endOfInput();
                    return;
                }
                if (n > 0) {
                    bytesRead += n;
                    byte[] chunk = new byte[n];
                    buffer.flip().get(chunk);
                    if (!offer(chunk) || inputEnded) {
                        return;
                    }
                }
                if (n < buffer.capacity()) {
                    readable = false;
                    handle.arm(OP_READ);
                    return;
                }
            }
        } finally {
            BufferPool.READS.give(buffer);
        }
    }

    /**
     * Sends a chunk downstream, or keeps it and asks to be told when there is room. A TLS stage that
     * has ended (its session closed both ways) takes nothing more: the rest of the input is dropped.
     */
    private boolean offer(byte[] chunk) {
        try {
            if (spaceSignal.offer(reads, chunk)) {
                return true;
            }
        } catch (InboxClosedException stageEnded) {
            if (tls == null) {
                throw stageEnded;
            }
            inputEnded = true;
            return true;
        }
        unsent = chunk;
        return false;
    }

    private void retryUnsent() {
        if (unsent != null) {
            byte[] chunk = unsent;
            unsent = null;
            offer(chunk);
        }
    }

    private void endOfInput() {
        inputEnded = true;
        if (tls != null) {
            tell(tls, new ProducerFinished(this));    // the stage ends the plaintext input
        } else if (signal.isLinked()) {
            announceEndOfInput();
        } else {
            upstreamFinished = true;
        }
    }

    /** Tells downstream that no more bytes will come (signals go to unbounded control inboxes). */
    private void announceEndOfInput() {
        try {
            signal.trySend(new ProducerFinished(this));
        } catch (InboxClosedException downstreamEnded) {
            // nobody left to tell
        }
    }

    private void write(byte[] chunk) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(chunk);
        bytesWritten += channel.write(buffer);
        if (buffer.hasRemaining()) {
            writing = buffer;
            handle.arm(OP_WRITE);
        }
    }

    private void flush() throws IOException {
        if (writing == null) {
            return;
        }
        bytesWritten += channel.write(writing);
        if (writing.hasRemaining()) {
            handle.arm(OP_WRITE);
        } else {
            writing = null;
        }
    }
}
