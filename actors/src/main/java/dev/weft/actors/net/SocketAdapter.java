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
import java.time.Duration;
import java.util.Arrays;

/**
 * A connected socket as a component (Kamaelia's ConnectedSocketAdapter): the bytes it reads go to
 * {@link #outbox} in chunks, the chunks that arrive on {@link #inbox} are written to the socket.
 *
 * <pre>{@code
 * adapter.outbox.linkTo(adapter.inbox);            // an echo
 * adapter.signal().linkTo(adapter.control());      // the peer's end of input ends our output
 * }</pre>
 *
 * <p>Nothing is buffered without bound. While the inbox {@code outbox} is linked to is full, the
 * adapter stops reading (the kernel's receive buffer, then TCP flow control, push back on the peer)
 * and retries shortly after. While the socket's send buffer is full, it stops taking from {@link #inbox}
 * until the socket is writable again, so its senders park on the full inbox.
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
 * sending it, and a sender must not touch one it has sent.
 */
public final class SocketAdapter extends Component {
    private static final int READ_BUFFER = 16 * 1024;
    private static final int READS_PER_READINESS = 16;
    private static final Duration FIRST_RETRY = Duration.ofNanos(200_000);
    private static final Duration LAST_RETRY = Duration.ofMillis(20);

    /** Chunks to write to the socket. */
    public final Inbox<byte[]> inbox = inbox(byte[].class);
    /** Chunks read from the socket, one per read. */
    public final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
    private final SocketChannel channel;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER);
    private ChannelHandle handle;
    /** A chunk read but refused by the full downstream inbox; reading waits until it is taken. */
    private byte[] unsent;
    private Duration retry = FIRST_RETRY;
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
            handle.arm(OP_READ);
            serve();
        } finally {
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
            Inbox<?> ready = unsent != null ? select(retry, boxes()) : select(boxes());
            if (ready == null) {
                retryUnsent();
            } else if (ready == control()) {
                if (!onSignal(control().poll())) {
                    return;
                }
            } else if (ready == readiness) {
                Readiness r = readiness.poll();
                int ops = r.ops();
                if ((ops & OP_WRITE) != 0) {
                    flush();
                }
                if ((ops & OP_READ) != 0) {
                    readSome();
                }
            } else {
                write(inbox.poll());
                retryUnsent();
            }
            if (upstreamFinished && !outputEnded && writing == null && inbox.isEmpty()) {
                channel.shutdownOutput();
                outputEnded = true;
            }
        }
    }

    /** The inboxes worth waiting on now: the inbox only while the socket can take more. */
    private Inbox<?>[] boxes() {
        return writing == null && !outputEnded
                ? new Inbox<?>[] {readiness, control(), inbox}
                : new Inbox<?>[] {readiness, control()};
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

    private void readSome() throws IOException {
        if (inputEnded || unsent != null) {
            return;
        }
        for (int i = 0; i < READS_PER_READINESS; i++) {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                endOfInput();
                return;
            }
            if (n == 0) {
                break;
            }
            bytesRead += n;
            byte[] chunk = Arrays.copyOf(readBuffer.array(), n);
            if (!outbox.trySend(chunk)) {
                unsent = chunk;
                retry = FIRST_RETRY;
                return;
            }
        }
        handle.arm(OP_READ);
    }

    private void retryUnsent() throws IOException {
        if (unsent == null) {
            return;
        }
        if (outbox.trySend(unsent)) {
            unsent = null;
            readSome();
        } else {
            Duration doubled = retry.multipliedBy(2);
            retry = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
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
}
