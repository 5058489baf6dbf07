package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import java.util.concurrent.CompletableFuture;

/**
 * Subscribes to the backplane of the given name (starting it if it is not running) and sends every
 * message published there, from the moment {@link #subscribed()} completes, on its {@link #outbox}.
 *
 * <p>Its buffer holds {@code capacity} messages; when full, the {@link Overflow} policy decides.
 * When the backplane ends, the subscriber sends what it has buffered, then
 * {@link ProducerFinished} on {@link #signal}, and ends. A {@link Shutdown} ends it at once.
 *
 * @param <T> the type of message received
 */
public final class SubscribeTo<T> extends Component {
    /** The default buffer size of a subscriber. */
    public static final int DEFAULT_CAPACITY = 256;

    /** Every message published after subscribing, in order. */
    public final Outbox<T> outbox;
    private final Inbox<Boolean> wake = inbox("wake", Boolean.class, 1);
    private final CompletableFuture<Backplane<T>> subscribed = new CompletableFuture<>();
    private final String backplane;
    private final Class<T> type;
    private final int capacity;
    private final Overflow policy;
    private volatile Subscription<T> subscription;

    /** Subscribes with back-pressure and a buffer of {@value #DEFAULT_CAPACITY} messages. */
    public SubscribeTo(String backplane, Class<T> type) {
        this(backplane, type, DEFAULT_CAPACITY, Overflow.BLOCK);
    }

    /** Subscribes with a buffer of {@code capacity} messages and the given overflow policy. */
    public SubscribeTo(String backplane, Class<T> type, int capacity, Overflow policy) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.outbox = outbox("outbox", type);
        this.backplane = backplane;
        this.type = type;
        this.capacity = capacity;
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /**
     * Completes with the backplane once this subscriber is attached: later messages all reach it.
     * Completes exceptionally if it could not attach (say, the backplane carries another type).
     */
    public CompletableFuture<Backplane<T>> subscribed() {
        return subscribed.copy();
    }

    /** Returns how many messages the backplane dropped for this subscriber. */
    public long dropped() {
        Subscription<T> s = subscription;
        return s == null ? 0 : s.dropped();
    }

    /** Returns how many messages wait in this subscriber's buffer (a moment's snapshot). */
    public int buffered() {
        Subscription<T> s = subscription;
        return s == null ? 0 : s.size();
    }

    /** Called by the backplane's thread when the buffer stops being empty. */
    private void wake() {
        try {
            wake.trySend(Boolean.TRUE);   // false: a wake-up is pending already, which is enough
        } catch (InboxClosedException ended) {
            // This subscriber has ended; the backplane forgets it on its next offer.
        }
    }

    @Override
    protected void run() throws InterruptedException {
        Backplane<T> plane;
        Subscription<T> s;
        try {
            plane = Backplane.find(runtime(), backplane, type);
            s = plane.subscribe(capacity, policy, this::wake);
        } catch (InterruptedException | RuntimeException e) {
            subscribed.completeExceptionally(e);
            throw e;
        }
        subscription = s;
        subscribed.complete(plane);
        try {
            for (;;) {
                boolean closed = s.isClosed();   // read first: after closing nothing more is added
                for (T m = s.take(); m != null; m = s.take()) {
                    outbox.send(m);
                }
                if (closed && s.overflowed()) {
                    throw new BackplaneOverflowException(name() + " fell more than " + capacity
                            + " messages behind on backplane '" + backplane + "' and was disconnected");
                }
                if (closed) {
                    InputLoop.sendSignal(signal, new ProducerFinished(this));
                    return;
                }
                if (select(wake, control) == wake) {
                    wake.poll();
                } else if (control.poll() instanceof Shutdown) {
                    return;
                }
            }
        } finally {
            s.close();
        }
    }
}
