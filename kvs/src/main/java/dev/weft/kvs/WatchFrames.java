package dev.weft.kvs;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.ReplyTo;
import dev.weft.runtime.SendTimeoutException;
import dev.weft.runtime.Sink;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Where a watch started over a {@link KvsServer} connection sends its events: each is encoded as a
 * frame and sent straight to the connection's socket adapter, by the thread that published the
 * commit when the socket has room ({@link #trySend}), else by the watch's delivery thread, so an
 * event usually wakes no thread between the commit and the socket.
 */
final class WatchFrames implements Sink<WatchEvent> {
    /*
     * Order. The client must read the watch's start reply before its first event, and the
     * connection sends that reply after the watch has started (and may have queued events). So
     * the sink holds its first send until the connection opens it, having sent the reply or
     * failed to (a connection that is gone opens it too: the send then fails and the watch ends).
     * Until then trySend refuses, so the watch buffers its events for its delivery thread, which
     * waits in send() for the opening. Events of one watch are sent in order, by the publishing
     * thread (trySend) or the delivery thread (send), never both at once (LocalWatch's claim).
     *
     * The end. Before the Ended frame goes out, the request id of the watch goes to the
     * connection's unbounded `ended` inbox, so the connection forgets the watch (its limit, its
     * cancel) before the client can learn of the end and start another. An end goes by send() only
     * (LocalWatch never delivers one directly), so the id goes to `ended` once.
     *
     * Back-pressure: a send to a full adapter inbox holds the delivery thread (in slices, below);
     * the watch's buffer fills, and the watch ends with OVERFLOWED.
     *
     * The last frame. The connection shuts its WatchGate before its fault's error frame and before
     * it cancels its watches at its end; a frame not queued by then is dropped, so no watch frame
     * follows the connection's last one. A send to a full socket inbox waits in slices and looks at
     * the gate between them, so a delivery thread leaves within one slice of the shut (the cancel
     * then ends its watch) instead of waiting on a socket nobody reads. trySend enters the gate the
     * same way, and never waits inside it.
     */
    /** How long one try to send to a full socket inbox waits before it looks at the gate again. */
    private static final Duration SEND_SLICE = Duration.ofMillis(10);
    private final long request;
    private final Sink<byte[]> socket;
    private final Inbox<Long> ended;
    private final CountDownLatch opened = new CountDownLatch(1);
    private final WatchGate gate;

    /**
     * Frames the events of the watch started by request {@code request} for {@code socket}; tells
     * {@code ended} that request id when the watch ends.
     */
    WatchFrames(long request, Sink<byte[]> socket, Inbox<Long> ended, WatchGate gate) {
        this.request = request;
        this.socket = socket;
        this.ended = ended;
        this.gate = gate;
    }

    /** Lets events go out: the start reply has been sent (or cannot be). */
    void open() {
        opened.countDown();
    }

    @Override
    public void send(WatchEvent event) throws InterruptedException {
        opened.await();
        if (event instanceof WatchEvent.Ended) {
            ended.trySend(request);
        }
        byte[] frame = Wire.event(request, event).frame();
        if (!gate.enter()) {
            return;                                  // the connection has sent its last frame
        }
        try {
            for (;;) {
                try {
                    socket.send(frame, SEND_SLICE);
                    return;
                } catch (SendTimeoutException full) {
                    if (gate.isShut()) {
                        return;                      // nothing was queued; the connection is ending
                    }
                }
            }
        } finally {
            gate.leave();
        }
    }

    @Override
    public void send(WatchEvent event, Duration timeout) {
        throw new UnsupportedOperationException("a watch delivers its events with send(event)");
    }

    /**
     * Sends an event's frame if the start reply has gone out and the socket inbox has room now;
     * an end is refused (it goes by {@link #send(WatchEvent)}, which tells the connection first).
     * A frame after the connection's last one is dropped, as {@link #send(WatchEvent)} drops it.
     */
    @Override
    public boolean trySend(WatchEvent event) {
        if (opened.getCount() != 0 || event instanceof WatchEvent.Ended) {
            return false;
        }
        byte[] frame = Wire.event(request, event).frame();
        if (!gate.enter()) {
            return true;                             // the connection has sent its last frame
        }
        try {
            return socket.trySend(frame);
        } finally {
            gate.leave();
        }
    }

    @Override
    public <R> R ask(Function<? super ReplyTo<R>, ? extends WatchEvent> request, Duration timeout) {
        throw new UnsupportedOperationException("watch events ask nothing");
    }

    @Override
    public Class<WatchEvent> type() {
        return WatchEvent.class;
    }

    @Override
    public String toString() {
        return "WatchFrames[request " + request + "]";
    }
}
