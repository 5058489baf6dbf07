package dev.weft.runtime;

/**
 * The one path a message takes from a sender into an inbox: every send, whether through
 * {@link Inbox#send}, {@link Outbox#send}, a timer or an ask, comes through here.
 */
final class SendPath {
    /*
     * A send to a local inbox resolves the inbox's pass-through chain (one volatile read of the
     * inbox's gate when it has none, which is the usual case), then offers into the inbox it leads
     * to (Inbox.offerHere: a Class.isInstance check, a volatile read of the inbox's state, the
     * offer, a second read of the state, and owner.wake(), which unparks the owner only if it has
     * published that it is parked). An inbox with an inline taker (Inbox.takeInline) first offers an
     * open, empty inbox's message to it on the sender's thread; if it takes it, the send ends there.
     * That is the fast path; it allocates nothing. Everything else is
     * the slow path, a loop on what the last offer said:
     *   FULL     yield a few times and offer again, then park at the inbox's SenderGate until the
     *            owner takes a message (wake-on-pop), the deadline passes or the inbox closes. A
     *            sender that is the inbox's own receiver is refused at once: only it could make room.
     *   REFUSED  the inbox's owner has ended. Re-resolve from the inbox the send began at: a
     *            pass-through may lead elsewhere now (a carousel swapped its child) and the send
     *            goes there. Only if it still leads to the closed inbox does the send fail, and the
     *            message counts dead once.
     *   MOVED    the inbox was handed off (a pass-through set on it): re-resolve, waiting at its
     *            gate while its queued messages are still being handed on (see SenderGate).
     * A send that must not wait (trySend) follows REFUSED and MOVED the same way but returns false
     * where the blocking send would wait.
     *
     * A Sink that is not a local inbox (a remote link) is driven through its public methods; an
     * outbox linked to nothing follows its UnlinkedPolicy, which may wait for a link (Links).
     * Deadlines are System.nanoTime() instants, Deadline.NONE for none.
     */
    private static final int YIELDS_BEFORE_PARK = 4;

    private SendPath() {
    }

    /** A send through {@code from}: to its target, or as its unlinked policy says. */
    static <T> void send(Outbox<T> from, T message, long deadline) throws InterruptedException {
        Sink<? super T> to = from.targetFor(message);
        if (to == null && (to = unlinked(from, deadline)) == null) {
            return;
        }
        send(to, message, deadline);
    }

    /** A send through {@code from} that does not wait; returns whether the message was accepted (or discarded). */
    static <T> boolean trySend(Outbox<T> from, T message) {
        Sink<? super T> to = from.targetFor(message);
        if (to == null) {
            return switch (from.unlinkedPolicy()) {
                case FAIL -> throw from.notLinked();
                case WAIT -> false;
                case DISCARD -> from.discard();
            };
        }
        return trySend(to, message);
    }

    /** A send to any sink, waiting until {@code deadline} for room. */
    static <T> void send(Sink<? super T> to, T message, long deadline) throws InterruptedException {
        if (to instanceof Inbox<?> in) {
            deliver(in, message, deadline);
        } else if (deadline == Deadline.NONE) {
            to.send(message);
        } else {
            to.send(message, Deadline.remaining(deadline));
        }
    }

    /** A send to any sink that does not wait. */
    static <T> boolean trySend(Sink<? super T> to, T message) {
        return to instanceof Inbox<?> in ? offer(in, message) : to.trySend(message);
    }

    /** A blocking send that began at {@code start} (directly, or through an outbox linked to it). */
    static void deliver(Inbox<?> start, Object message, long deadline) throws InterruptedException {
        Inbox<?> t = start.resolve();
        int r = t.offerHere(message);
        if (r != Inbox.ACCEPTED) {
            sendSlowly(start, t, r, message, deadline);
        }
    }

    /** A send that began at {@code start} and does not wait; returns whether the message was accepted. */
    static boolean offer(Inbox<?> start, Object message) {
        Inbox<?> t = start.resolve();
        for (int r = t.offerHere(message); r != Inbox.ACCEPTED; r = t.offerHere(message)) {
            if (r == Inbox.FULL) {
                return false;
            }
            Inbox<?> next = rerouted(start, t, r);
            if (next == t) {
                return false;
            }
            t = next;
        }
        return true;
    }

    /** Hands one message queued at a handed-off inbox on to its inner inbox, waiting for room as long as it takes. */
    static void handOn(Inbox<?> from, Inbox<?> inner, Object message) {
        for (;;) {
            try {
                deliver(inner, message, Deadline.NONE);
                Metrics metrics = from.owner().metrics();
                if (metrics != null) {
                    metrics.sent.decrement();   // it was counted sent when it came to the outer inbox
                }
                return;
            } catch (InboxClosedException ended) {
                return;   // the inner inbox's owner has ended; the send counted the message dead
            } catch (InterruptedException stray) {
                // Nothing may interrupt a mover: a message it holds has no other way on.
            }
        }
    }

    /** The slow path of {@link #deliver}: {@code r} is what the last offer into {@code t} said. */
    private static void sendSlowly(Inbox<?> start, Inbox<?> t, int r, Object message, long deadline)
            throws InterruptedException {
        for (int tries = 0; r != Inbox.ACCEPTED; tries++) {
            if (r == Inbox.FULL) {
                t.refuseOwnWait();
                if (tries < YIELDS_BEFORE_PARK) {
                    Thread.yield();
                    r = t.offerHere(message);
                } else {
                    r = t.gate().awaitRoom(t, message, deadline);
                }
            } else {
                Inbox<?> next = rerouted(start, t, r);
                if (next == t) {
                    t.gate().awaitHandOn(t, deadline);
                    next = start.resolve();
                }
                t = next;
                r = t.offerHere(message);
            }
        }
    }

    /**
     * Where a send that {@code t} refused (closed) or moved (handed off) goes next: wherever
     * {@code start}, where the send began, resolves now. Returns {@code t} itself only while
     * {@code t} is still handing its queue on; throws if {@code t} is closed and still the destination.
     */
    private static Inbox<?> rerouted(Inbox<?> start, Inbox<?> t, int r) {
        Inbox<?> next = start.resolve();
        if (next == t && r == Inbox.REFUSED) {
            throw t.closedException();
        }
        return next;
    }

    /** Returns the target to send to once linked, or null when the message was discarded. */
    private static <T> Sink<? super T> unlinked(Outbox<T> from, long deadline) throws InterruptedException {
        return switch (from.unlinkedPolicy()) {
            case FAIL -> throw from.notLinked();
            case DISCARD -> {
                from.discard();
                yield null;
            }
            case WAIT -> Links.awaitTarget(from, deadline);
        };
    }
}
