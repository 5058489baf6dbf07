package dev.weft.cluster;

import dev.weft.runtime.Outbox;
import dev.weft.runtime.ReplyTo;
import dev.weft.runtime.SendTimeoutException;
import dev.weft.runtime.Sink;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sending end of one link: an inbox in another runtime, reached over one gRPC stream.
 */
final class RemoteSink<T> implements Sink<T>, AutoCloseable {
    /*
     * `credit` is how many more messages the receiver can take: 0 until WELCOME, then WELCOME's
     * window, less one per message sent, plus each CREDIT frame's count. A send waits on
     * `hasCredit` while it is 0, so at most `window` encoded messages are ever in flight and a
     * receiver that never reads parks its senders after `window` messages: the sender's memory stays
     * bounded by the window, whatever the receiver does.
     *
     * Batching, as Netty and Artery do it, without timers: a message that took its credit goes out
     * at once as a DATA frame of its own when nothing waits before it and the stream is ready, and
     * joins `queued` otherwise. The call's on-ready threshold is one byte, so the stream is ready
     * only while the transport holds none of this stream's bytes unwritten: while one frame is on
     * its way to the socket, the messages sent meanwhile gather in `queued`, and gRPC's onReady
     * (on its event loop, once that frame is written) sends them in as few DATA frames as
     * BATCH_BYTES allows (the Batcher packs them as they are queued). `queued` is not empty only
     * while the stream is not ready, so an onReady is always due for it. A lone message waits for
     * nothing; under load one gRPC message carries many. `queued` holds messages that already spent
     * credit, so it never holds more than the window.
     *
     * One lock guards credit, `queued`, `broken` and the ClientCall, whose sendMessage is not
     * thread-safe; sendMessage only queues the frame on the transport, so holding the lock across
     * it is short. gRPC calls the listener on its event loop; it takes the same lock to add credit,
     * send queued messages or record a break, and signals all waiters. Messages from one sending
     * thread leave in the order sent: a message never passes one in `queued`.
     */
    private final RemoteAddress address;
    private final Codec<T> codec;
    private final Consumer<LinkBroken> onBroken;
    /** Outboxes linked here, told of a break; weakly held, so an ended sender is not kept alive. */
    private final Set<Outbox<?>> senders = Collections.newSetFromMap(new WeakHashMap<>()); // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition hasCredit = lock.newCondition();
    private final ClientCall<byte[], byte[]> call;
    private final Batcher queued = new Batcher(); // guarded by lock
    private int credit; // guarded by lock
    private LinkBrokenException broken; // guarded by lock
    private boolean closing; // guarded by lock
    private boolean halfClosed; // guarded by lock
    private volatile boolean welcomed; // set once, under lock, by WELCOME

    RemoteSink(Channel channel, RemoteAddress address, Codec<T> codec, String from, Consumer<LinkBroken> onBroken) {
        this.address = address;
        this.codec = codec;
        this.onBroken = onBroken;
        this.call = channel.newCall(Wire.OPEN, CallOptions.DEFAULT.withOnReadyThreshold(1));
        call.start(new Listener(), new Metadata());
        call.request(1);
        call.sendMessage(new Wire.Hello(Wire.VERSION, address.runtime(), address.incarnation(), address.service(),
                codec.type().getName(), from).encode());
    }

    RemoteAddress address() {
        return address;
    }

    @Override
    public void send(T message) throws InterruptedException {
        byte[] payload = encode(message);
        lock.lock();
        try {
            while (credit == 0 && broken == null) {
                hasCredit.await();
            }
            write(payload);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void send(T message, Duration timeout) throws InterruptedException {
        byte[] payload = encode(message);
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (credit == 0 && broken == null) {
                if (nanos <= 0) {
                    throw new SendTimeoutException("the remote inbox " + address + " took no message for " + timeout
                            + " (the receiver is slow or stopped reading)");
                }
                nanos = hasCredit.awaitNanos(nanos);
            }
            write(payload);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean trySend(T message) {
        byte[] payload = encode(message);
        lock.lock();
        try {
            if (credit == 0 && broken == null) {
                return false;
            }
            write(payload);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Remote asks are not offered: a {@link ReplyTo} is a handle inside one runtime. */
    @Override
    public <R> R ask(Function<? super ReplyTo<R>, ? extends T> request, Duration timeout) {
        throw new UnsupportedOperationException("ask is not supported across runtimes (" + address
                + "): send a request carrying the service name of a reply inbox you registered in the cluster");
    }

    @Override
    public Class<T> type() {
        return codec.type();
    }

    /** Ends the stream after the messages already sent; the receiver delivers them, then closes. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing || broken != null) {
                return;
            }
            closing = true;
            halfCloseWhenSent();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the link is broken (the stream ended other than by {@link #close()}). */
    boolean isBroken() {
        lock.lock();
        try {
            return broken != null;
        } finally {
            lock.unlock();
        }
    }

    private byte[] encode(T message) {
        Objects.requireNonNull(message, "message");
        if (!codec.type().isInstance(message)) {
            throw new ClassCastException("the remote inbox " + address + " takes " + codec.type().getName()
                    + ", not " + message.getClass().getName());
        }
        return codec.encode(message);
    }

    /** Sends or queues one message, spending one credit; the caller holds the lock and saw credit or a break. */
    private void write(byte[] payload) {
        if (broken != null) {
            throw new LinkBrokenException(broken.getMessage(), broken);
        }
        if (closing) {
            throw new IllegalStateException("the link to " + address + " is closed: look the service up again");
        }
        credit--;
        if (queued.isEmpty() && call.isReady()) {
            call.sendMessage(Wire.data(payload));
        } else {
            queued.add(payload); // copied into its frame: the codec's array is free again
        }
    }

    /** Sends what is queued, in batches, while the stream is ready; then half-closes if closing. */
    private void flush() {
        lock.lock();
        try {
            if (broken != null) {
                return;
            }
            while (!queued.isEmpty() && call.isReady()) {
                call.sendMessage(queued.next());
            }
            if (closing) {
                halfCloseWhenSent();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Half-closes once nothing is queued (else the onReady that sends the last of it does); under lock. */
    private void halfCloseWhenSent() {
        if (queued.isEmpty() && !halfClosed) {
            halfClosed = true;
            call.halfClose();
        }
    }

    private void grant(int n) {
        lock.lock();
        try {
            credit += n;
            welcomed = true;
            hasCredit.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void breakLink(String why, Throwable cause) {
        LinkBrokenException e;
        lock.lock();
        try {
            if (broken != null) {
                return;
            }
            e = new LinkBrokenException("the link to " + address + " broke: " + why, cause);
            broken = e;
            queued.clear(); // at most once: what had not left is lost with the stream
            hasCredit.signalAll();
        } finally {
            lock.unlock();
        }
        LinkBroken news = new LinkBroken(address, e);
        onBroken.accept(news);
        List<Outbox<?>> told;
        lock.lock();
        try {
            told = List.copyOf(senders);
            senders.clear();
        } finally {
            lock.unlock();
        }
        told.forEach(o -> tell(o, news));
    }

    /**
     * Tells {@code from}'s owner, on its control inbox, when this link breaks (at once if it has),
     * as long as {@code from} is still linked here then. Linking one outbox again adds nothing.
     */
    void tellOnBreak(Outbox<?> from) {
        LinkBrokenException e;
        lock.lock();
        try {
            e = broken;
            if (e == null) {
                senders.add(from);
            }
        } finally {
            lock.unlock();
        }
        if (e != null) {
            tell(from, new LinkBroken(address, e));
        }
    }

    private void tell(Outbox<?> from, LinkBroken news) {
        if (from.target() == this) {
            from.owner().control.trySend(news);
        }
    }

    private final class Listener extends ClientCall.Listener<byte[]> {
        @Override
        public void onMessage(byte[] frame) {
            try {
                if (frame.length > 0 && (frame[0] == Wire.WELCOME || frame[0] == Wire.CREDIT)) {
                    grant(Wire.count(frame));
                    call.request(1);
                } else {
                    throw new Wire.BadFrameException("a receiver sends WELCOME and CREDIT only, got "
                            + Wire.describe(frame));
                }
            } catch (Wire.BadFrameException e) {
                String why = "bad frame from " + address + ": " + e.getMessage();
                breakLink(why, null); // first, so no send reaches the cancelled call
                call.cancel(why, null);
            }
        }

        @Override
        public void onReady() {
            flush();
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            boolean expected;
            lock.lock();
            try {
                expected = closing && status.isOk();
            } finally {
                lock.unlock();
            }
            if (!expected) {
                String why = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
                breakLink(status.isOk() ? "the receiver closed the stream" : why, status.getCause());
            }
        }
    }

    /**
     * Waits for the receiver's answer to the handshake, so a new link can take messages at once.
     *
     * @throws LinkBrokenException if the receiver refused the link, or gave no answer in time
     */
    RemoteSink<T> awaitOpen(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!welcomed && broken == null) {
                if (nanos <= 0) {
                    break;
                }
                nanos = hasCredit.awaitNanos(nanos);
            }
            if (broken != null) {
                throw new LinkBrokenException(broken.getMessage(), broken);
            }
        } finally {
            lock.unlock();
        }
        if (!welcomed) {
            call.cancel("no answer to the handshake", null);
            throw new LinkBrokenException("the link to " + address + " got no answer to its handshake in "
                    + unit.toMillis(timeout) + " ms", null);
        }
        return this;
    }
}
