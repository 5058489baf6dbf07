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
import dev.weft.runtime.io.ChannelHandle;
import dev.weft.runtime.io.Readiness;
import dev.weft.runtime.io.SelectorService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A connected socket as a component (Kamaelia's ConnectedSocketAdapter): the bytes it reads go to
 * {@link #outbox} in chunks, the chunks that arrive on {@link #inbox} are written to the socket.
 *
 * <pre>{@code
 * adapter.outbox.linkTo(adapter.inbox);            // an echo
 * adapter.signal().linkTo(adapter.control());      // the peer's end of input ends our output
 * }</pre>
 *
 * <p>The hot path is short. The adapter reads before it waits (a fresh connection, and again after
 * every readiness) until a read comes back short, then arms the selector, which costs no system call
 * on the epoll backend. Each chunk from {@link #inbox} is written at once; only what the socket does
 * not take is kept, and the adapter waits for the socket to be writable before it takes the next.
 *
 * <p>Nothing is buffered without bound. While the inbox {@code outbox} is linked to is full, the
 * adapter stops reading (the kernel's receive buffer, then TCP flow control, push back on the peer)
 * and asks that inbox to tell it when it has room ({@link Inbox#onSpace}); it polls nothing. While
 * the socket's send buffer is full it stops taking from {@link #inbox}, so its senders park on the
 * full inbox. It holds at most one chunk read and one chunk partly written.
 *
 * <p>Ending. When the peer shuts down its output (end of stream), the adapter sends
 * {@link ProducerFinished} on its {@link #signal()} and stops reading; when its own input is finished
 * ({@code ProducerFinished} on {@link #control()}, or at once if its signal outbox is linked to
 * nothing), it writes what it holds, shuts down its output, and once both directions are done it
 * finishes. {@link Shutdown} closes the socket at once. A reset or any other I/O error fails the
 * adapter with that exception as the {@code Terminated} cause. However it ends, the socket is closed
 * and {@code ProducerFinished} goes out on {@code signal()}.
 *
 * <p>A chunk is a {@code byte[]} that changes hands: the adapter never touches an array again after
 * sending it, and a sender must not touch one it has sent. The adapter writes a chunk it takes
 * without copying it; it reads into a pooled direct buffer and copies each read once, into a chunk
 * of exactly the bytes read.
 */
public final class SocketAdapter extends Component {
    /** Reads in a row before the adapter looks at its inboxes again (it does not wait in between). */
    private static final int READS_PER_TURN = 16;

    /** Chunks to write to the socket. */
    public final Inbox<byte[]> inbox = inbox(byte[].class);
    /** Chunks read from the socket, one per read. */
    public final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
    /** Told when the inbox downstream has room again for a chunk it refused. */
    private final Inbox<Boolean> space = inbox("space", Boolean.class, 1);
    /** The callback left at a full downstream inbox; let go of when the adapter ends. */
    private final SpaceSignal spaceSignal = new SpaceSignal(space);
    private final SocketChannel channel;
    private final Inbox<?>[] waitReading = {readiness, control(), inbox};
    private final Inbox<?>[] waitWriting = {readiness, control()};
    private final Inbox<?>[] waitSpaceReading = {readiness, control(), space, inbox};
    private final Inbox<?>[] waitSpaceWriting = {readiness, control(), space};
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
    private volatile long bytesRead;
    private volatile long bytesWritten;

    /** Adapts a connected socket; the adapter owns and closes it. */
    public SocketAdapter(SocketChannel channel) {
        this.channel = channel;
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
            if (!inputEnded) {
                announceEndOfInput();
            }
        }
    }

    private void serve() throws Exception {
        while (!(inputEnded && outputEnded)) {
            if (mayRead()) {
                readSome();
            }
            Inbox<?> ready = mayRead() ? anyReady() : select(boxes());
            if (ready == control()) {
                if (!onSignal(control().poll())) {
                    return;
                }
            } else if (ready == readiness) {
                onReadiness(readiness.poll());
            } else if (ready == space) {
                space.poll();
                retryUnsent();
            } else if (ready == inbox) {
                write(inbox.poll());
            }
            if (upstreamFinished && !outputEnded && writing == null && inbox.isEmpty()) {
                channel.shutdownOutput();
                outputEnded = true;
            }
        }
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
    private boolean onSignal(Signal signal) {
        if (signal instanceof Shutdown) {
            return false;
        }
        if (signal instanceof ProducerFinished) {
            upstreamFinished = true;
        }
        return true;
    }

    /**
     * Reads up to {@value #READS_PER_TURN} times. A short read means the socket had no more: the
     * adapter arms for the next readiness. A full last read leaves {@code readable} set, so the
     * adapter looks at its inboxes and comes back without waiting.
     */
    private void readSome() throws IOException {
        ByteBuffer buffer = ReadBuffers.take();
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
                    if (!offer(chunk)) {
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
            ReadBuffers.give(buffer);
        }
    }

    /** Sends a chunk downstream, or keeps it and asks to be told when there is room. */
    private boolean offer(byte[] chunk) {
        if (outbox.trySend(chunk)) {
            return true;
        }
        if (outbox.target() instanceof Inbox<? super byte[]> downstream) {
            downstream.onSpace(spaceSignal);
        }
        if (outbox.trySend(chunk)) {
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
        if (signal().isLinked()) {
            announceEndOfInput();
        } else {
            upstreamFinished = true;
        }
    }

    /** Tells downstream that no more bytes will come (signals go to unbounded control inboxes). */
    private void announceEndOfInput() {
        try {
            signal().trySend(new ProducerFinished(this));
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

    /**
     * Runs on the downstream receiver's thread when it has room: wakes the adapter. It may stay at an
     * idle downstream inbox long after the adapter ended, so it lets go of the adapter then.
     */
    private static final class SpaceSignal implements Runnable {
        private volatile Inbox<Boolean> space;

        SpaceSignal(Inbox<Boolean> space) {
            this.space = space;
        }

        @Override
        public void run() {
            Inbox<Boolean> s = space;
            if (s != null) {
                try {
                    s.trySend(Boolean.TRUE);
                } catch (InboxClosedException adapterEnded) {
                    // nothing to wake
                }
            }
        }

        void release() {
            space = null;
        }
    }
}
