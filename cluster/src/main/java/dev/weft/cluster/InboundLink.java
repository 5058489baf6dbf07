package dev.weft.cluster;

import dev.weft.runtime.InboxClosedException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receiving end of one link: a gRPC server stream feeding one local inbox.
 */
final class InboundLink extends ServerCall.Listener<byte[]> {
    /*
     * Flow control is counted in messages, at two levels that agree:
     *  - the sender holds credit; WELCOME grants it `window` messages, each message of a DATA frame
     *    (a batch) spends one, and the receiver returns credit in CREDIT frames once messages are in
     *    the inbox. `allowed` mirrors the sender's credit here: the listener takes each frame's count
     *    from it, the pump adds what it returns before it sends the CREDIT frame. A frame that takes
     *    it below 0 is a sender that ignored its credit, and the stream is closed as a bad one;
     *  - gRPC's own request(n): the handshake asks the transport for `window` frames and the pump asks
     *    for as many frames as it consumed each time it returns credit. A frame holds one message at
     *    least and credit comes back only for whole frames, so the frames requested always cover what
     *    the sender may send, and the transport never hands over more frames than the queue holds.
     * The queue therefore never holds more than `window` messages in at most `window` frames.
     *
     * The pump, a virtual thread, takes frames from the queue, decodes them and sends them into the
     * inbox with a blocking send, so a full inbox parks the pump, credit stops, and the remote sender
     * parks in its turn: back-pressure across the network, with at most `window` messages in flight.
     * Credit goes back once at least window/2 messages were delivered, after a whole frame: when the
     * sender has no credit, more than half the window is queued or on its way here, so the pump
     * always has work that will return credit (no deadlock).
     *
     * Threads: gRPC calls the listener methods one at a time (a serializing executor); the pump
     * sends CREDIT frames. sendMessage/close on a ServerCall must not overlap, so both take `lock`.
     */
    private static final System.Logger LOG = System.getLogger(InboundLink.class.getName());

    private final ServerCall<byte[], byte[]> call;
    private final LinkServer server;
    private final ReentrantLock lock = new ReentrantLock();
    private static final byte[][] END = new byte[0][];
    private final AtomicInteger allowed = new AtomicInteger();
    private BlockingQueue<byte[][]> frames; // set by the handshake, on the listener thread; a frame's messages
    private volatile LinkServer.Served<?> target;
    private Wire.Hello hello;
    private volatile Thread pump;
    private boolean closed; // guarded by lock

    InboundLink(ServerCall<byte[], byte[]> call, LinkServer server) {
        this.call = call;
        this.server = server;
    }

    InboundLink start() {
        call.sendHeaders(new Metadata());
        call.request(1);
        return this;
    }

    @Override
    public void onMessage(byte[] frame) {
        try {
            if (hello == null) {
                handshake(frame);
            } else if (frame.length > 0 && frame[0] == Wire.DATA) {
                byte[][] payloads = Wire.payloads(frame);
                if (allowed.addAndGet(-payloads.length) < 0) {
                    throw new Wire.BadFrameException("the sender went beyond its credit of " + server.window()
                            + " messages");
                }
                frames.add(payloads); // never full: it holds at most `allowed` messages, one a frame at least
            } else {
                throw new Wire.BadFrameException("after HELLO a sender sends DATA frames only, got "
                        + Wire.describe(frame));
            }
        } catch (Wire.BadFrameException e) {
            close(Status.INVALID_ARGUMENT.withDescription("bad frame on the link to " + describeTarget() + ": "
                    + e.getMessage()));
        }
    }

    private void handshake(byte[] frame) throws Wire.BadFrameException {
        Wire.Hello h = Wire.Hello.decode(frame);
        if (h.version() != Wire.VERSION) {
            refuse("the sender speaks link protocol version " + h.version() + ", this runtime ("
                    + server.runtime() + ") speaks version " + Wire.VERSION + ": run the same Weft version on both");
            return;
        }
        if (!h.runtime().equals(server.runtime()) || h.incarnation() != server.incarnation()) {
            refuse("the link is for runtime " + h.runtime() + " incarnation " + Long.toHexString(h.incarnation())
                    + ", but this is " + server.runtime() + " incarnation " + Long.toHexString(server.incarnation())
                    + " (the runtime restarted): look the service up again");
            return;
        }
        LinkServer.Served<?> s = server.find(h.service());
        if (s == null) {
            refuse("runtime " + server.runtime() + " serves no service '" + h.service()
                    + "' (it ended or never registered here): look it up again");
            return;
        }
        if (!s.codec().type().getName().equals(h.type())) {
            refuse("service '" + h.service() + "' takes " + s.codec().type().getName() + ", the sender sends "
                    + h.type());
            return;
        }
        hello = h;
        target = s;
        frames = new ArrayBlockingQueue<>(server.window() + 1);
        allowed.set(server.window());
        pump = Thread.ofVirtual().name("weft-link-in-" + h.service() + "-from-" + h.from()).start(this::pump);
        s.links().add(this);
        if (server.find(h.service()) != s) { // unserved meanwhile: its sweep may have missed this link
            receiverEnded(h.service());
            return;
        }
        send(Wire.count(Wire.WELCOME, server.window()));
        call.request(server.window());
    }

    /** Closes this stream because its receiver ended or left the cluster. */
    void receiverEnded(String service) {
        close(Status.UNAVAILABLE.withDescription("the receiver of service '" + service + "' in runtime "
                + server.runtime() + " has ended"));
    }

    private void refuse(String why) {
        close(Status.FAILED_PRECONDITION.withDescription(why));
    }

    @Override
    public void onHalfClose() {
        if (frames != null) {
            frames.offer(END); // room is kept for it: the queue holds window + 1
        } else {
            close(Status.OK);
        }
    }

    @Override
    public void onCancel() {
        if (target != null) {
            target.links().remove(this);
        }
        markClosed();
        if (pump != null) {
            pump.interrupt();
        }
    }

    private void pump() {
        int returned = 0;
        int taken = 0;
        int batch = Math.max(1, server.window() / 2);
        try {
            while (true) {
                byte[][] frame = frames.take();
                if (frame == END) {
                    close(Status.OK);
                    return;
                }
                for (byte[] payload : frame) {
                    Object message;
                    try {
                        message = target.codec().decode(payload);
                    } catch (RuntimeException e) {
                        close(Status.INVALID_ARGUMENT.withDescription("bad frame on the link to " + describeTarget()
                                + ": its codec could not decode a message: " + e.getMessage()));
                        return;
                    }
                    deliver(target, message);
                }
                returned += frame.length;
                taken++;
                if (returned >= batch) {
                    allowed.addAndGet(returned);
                    send(Wire.count(Wire.CREDIT, returned));
                    call.request(taken);
                    returned = 0;
                    taken = 0;
                }
            }
        } catch (InterruptedException e) {
            close(Status.CANCELLED.withDescription("the receiving runtime is shutting down"));
        } catch (InboxClosedException e) {
            close(Status.UNAVAILABLE.withDescription("the receiver " + describeTarget() + " has ended: "
                    + e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void deliver(LinkServer.Served<T> s, Object message) throws InterruptedException {
        s.inbox().send((T) message);
    }

    private void send(byte[] frame) {
        lock.lock();
        try {
            if (!closed) {
                call.sendMessage(frame);
            }
        } finally {
            lock.unlock();
        }
    }

    private void close(Status status) {
        if (target != null) {
            target.links().remove(this);
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!status.isOk()) {
                LOG.log(System.Logger.Level.DEBUG, "closing a link stream: {0}", status);
            }
            call.close(status, new Metadata());
        } finally {
            lock.unlock();
        }
        if (pump != null && Thread.currentThread() != pump) {
            pump.interrupt();
        }
    }

    private void markClosed() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private String describeTarget() {
        return hello == null ? "runtime " + server.runtime() : "service '" + hello.service() + "' of runtime "
                + server.runtime() + " (from " + hello.from() + ")";
    }
}
