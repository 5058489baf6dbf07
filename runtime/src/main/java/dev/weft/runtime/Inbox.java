package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscAtomicUnpaddedArrayQueue;

/**
 * A typed mailbox owned by one component: any thread may send into it, only its owner receives.
 *
 * <p>Inboxes are bounded unless created unbounded. A full inbox pushes back: {@link #send(Object)}
 * parks the sender until the owner takes a message, {@link #send(Object, Duration)} gives up with
 * {@link SendTimeoutException}, and {@link #trySend(Object)} returns {@code false}. The capacity is
 * rounded up to a power of two. Messages from one sender arrive in the order sent, each exactly once.
 * After the owner ends, sends fail with {@link InboxClosedException}.
 *
 * @param <T> the type of message this inbox takes
 */
public final class Inbox<T> {
    /*
     * The queue is a JCTools MPSC queue (the field-updater flavour, which needs no sun.misc.Unsafe),
     * created on first use so that an idle component costs a few small objects, not a padded array.
     *
     * Delivery: a sender offers straight into the queue, then calls owner.wake(), which unparks the
     * owner only if it has published that it is parked (see Component). A bounded queue that is full
     * sends the sender to the SenderGate; the owner, after each take, fences and signals one parked
     * sender if any (wake-on-pop).
     *
     * Pass-through: an inbox of a composite component may forward to an inner component's inbox.
     * Every send resolves the chain first (one volatile read when there is none), then offers
     * into the final inbox and, if full, parks at that inbox's gate.
     */
    static final int UNBOUNDED = -1;
    private static final int RUNTIME_DEFAULT = 0;
    private static final int UNBOUNDED_CHUNK = 32;
    private static final VarHandle QUEUE;
    private static final VarHandle GATE;
    private static final VarHandle RECEIVED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUE = lookup.findVarHandle(Inbox.class, "queue", MessagePassingQueue.class);
            GATE = lookup.findVarHandle(Inbox.class, "gate", SenderGate.class);
            RECEIVED = lookup.findVarHandle(Inbox.class, "received", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Component owner;
    private final String name;
    private final Class<T> type;
    private int capacity;
    private boolean compact;
    private volatile MessagePassingQueue<T> queue;
    private volatile SenderGate gate;
    private volatile boolean closed;
    private volatile Inbox<? super T> forward;
    /** Messages taken so far: written by the owner only (opaque, so never torn), read by inspectors. */
    private long received;

    Inbox(Component owner, String name, Class<T> type, int capacity) {
        this.owner = owner;
        this.name = name;
        this.type = type;
        this.capacity = capacity;
    }

    /** Returns the name of this box within its component, e.g. {@code "inbox"} or {@code "control"}. */
    public String name() {
        return name;
    }

    /** Returns the type of message this inbox takes. */
    public Class<T> type() {
        return type;
    }

    /** Returns the component that owns this inbox. */
    public Component owner() {
        return owner;
    }

    /**
     * Returns how many messages this inbox holds at most ({@link Integer#MAX_VALUE} when unbounded),
     * after rounding up to a power of two.
     */
    public int capacity() {
        int c = effectiveCapacity();
        return c == UNBOUNDED ? Integer.MAX_VALUE : c;
    }

    /** Returns whether this inbox is bounded. */
    public boolean isBounded() {
        return capacity != UNBOUNDED;
    }

    /** Returns how many messages wait in this inbox (a moment's snapshot). */
    public int size() {
        MessagePassingQueue<T> q = queue;
        return q == null ? 0 : q.size();
    }

    /** Returns whether no message waits in this inbox (a moment's snapshot). */
    public boolean isEmpty() {
        MessagePassingQueue<T> q = queue;
        return q == null || q.isEmpty();
    }

    // ---------------------------------------------------------------- sending (any thread)

    /**
     * Sends a message, parking the calling thread while the inbox is full.
     *
     * @throws InterruptedException if the sender is interrupted while parked
     * @throws InboxClosedException if the owner has ended
     */
    public void send(T message) throws InterruptedException {
        Inbox<? super T> target = resolve();
        if (!target.offer(message)) {
            target.sendSlowly(message, Long.MAX_VALUE, false);
        }
    }

    /**
     * Sends a message, waiting at most {@code timeout} for space.
     *
     * @throws SendTimeoutException if the inbox stayed full for the whole timeout
     * @throws InterruptedException if the sender is interrupted while parked
     * @throws InboxClosedException if the owner has ended
     */
    public void send(T message, Duration timeout) throws InterruptedException {
        Inbox<? super T> target = resolve();
        if (!target.offer(message)) {
            target.sendSlowly(message, deadline(timeout), true);
        }
    }

    /**
     * Sends a message if there is space now.
     *
     * @return {@code true} if the message was accepted, {@code false} if the inbox is full
     * @throws InboxClosedException if the owner has ended
     */
    public boolean trySend(T message) {
        return resolve().offer(message);
    }

    /**
     * Sends a request that carries a {@link ReplyTo} and waits for the answer (request/reply). Works
     * from any thread: a component's body, an actor's handler, or a plain thread. Late answers are
     * dropped and counted in {@code weft.ask.late.replies}. Where nothing tells Java the answer's
     * type (no assignment), name it: {@code inbox.<Integer>ask(r -> new Add(2, 3, r), timeout)}.
     *
     * @param request builds the message from the {@code ReplyTo} the responder must answer
     * @param timeout how long to wait for room in this inbox and then for the answer, together
     * @return the answer
     * @throws AskTimeoutException if no answer came in time
     * @throws AskTargetEndedException if this inbox's owner ended (or had ended) before it answered
     * @throws InterruptedException if the asker is interrupted while waiting
     * @throws IllegalStateException if the owner of this inbox asks itself
     */
    public <R> R ask(java.util.function.Function<? super ReplyTo<R>, ? extends T> request, Duration timeout)
            throws InterruptedException {
        return ReplyTo.ask(this, request, timeout);
    }

    /**
     * Runs {@code callback} once, after the owner next takes a message from this inbox (or from the
     * inbox it passes through to), or when it closes: the wake-on-pop of a sender that must not park.
     * Register after {@link #trySend} failed, then try again: if that try fails too, the callback is
     * sure to run once a slot frees. It may run when another sender has taken the slot already, so it
     * should only prompt a new {@code trySend}. It runs on the thread that took the message, so it must
     * be short, must not block and must not throw (a throw is logged). An unbounded inbox, or a closed
     * one, runs it at once on the calling thread.
     */
    public void onSpace(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        Inbox<? super T> target = resolve();
        if (!target.isBounded() || target.closed) {
            callback.run();
            return;
        }
        SenderGate g = target.gate();
        g.addCallback(callback);
        if (target.closed) {
            g.runCallbacks();
        }
    }

    @SuppressWarnings("unchecked")
    Inbox<? super T> resolve() {
        Inbox<? super T> next = forward;
        if (next == null) {
            return this;
        }
        Inbox<?> at = next;
        while (at.forward != null) {
            at = at.forward;
        }
        return (Inbox<? super T>) at;
    }

    /** Offers without blocking; wakes the owner when the message is accepted. */
    boolean offer(Object message) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            throw closedException();
        }
        @SuppressWarnings("unchecked")
        T m = (T) message;
        if (!queue().offer(m)) {
            return false;
        }
        if (closed) {
            // The owner ended while we offered: the message may never be taken, so the sender is told.
            throw closedException();
        }
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.sent.increment();
        }
        owner.wake();
        return true;
    }

    /** The slow path of a send into a full inbox: spin briefly, then park at the gate. */
    void sendSlowly(Object message, long deadline, boolean timed) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            Thread.yield();
            if (offer(message)) {
                return;
            }
        }
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.backPressureWaits.increment();
        }
        SenderGate g = gate();
        Dispatcher.aboutToBlock();
        g.lock.lockInterruptibly();
        try {
            g.enter();
            try {
                while (!offer(message)) {
                    if (timed) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new SendTimeoutException("inbox '" + name + "' of " + owner.name()
                                    + " stayed full (capacity " + capacity() + ")");
                        }
                        g.space.awaitNanos(left);
                    } else {
                        g.space.await();
                    }
                }
            } finally {
                g.leave();
            }
        } finally {
            g.lock.unlock();
        }
    }

    private InboxClosedException closedException() {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.dead.increment();
        }
        return new InboxClosedException("inbox '" + name + "' of " + owner.name() + " is closed: the component "
                + owner.state().name().toLowerCase(java.util.Locale.ROOT));
    }

    // ---------------------------------------------------------------- receiving (owner only)

    /**
     * Takes the next message, parking the owner until one arrives.
     *
     * @throws InterruptedException if the owner is interrupted (for instance by {@link Component#stop()})
     */
    public T receive() throws InterruptedException {
        T m = poll();
        while (m == null) {
            owner.awaitMessages(this, null, Long.MAX_VALUE, false);
            m = poll();
        }
        return m;
    }

    /**
     * Takes the next message, waiting at most {@code timeout}.
     *
     * @return the message, or {@code null} if none arrived in time
     * @throws InterruptedException if the owner is interrupted
     */
    public T receive(Duration timeout) throws InterruptedException {
        T m = poll();
        if (m != null) {
            return m;
        }
        long deadline = deadline(timeout);
        while (owner.awaitMessages(this, null, deadline, true)) {
            m = poll();
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** Takes the next message if one waits, else returns {@code null} at once. */
    public T poll() {
        owner.checkReceiver(this);
        MessagePassingQueue<T> q = queue;
        T m = q == null ? null : q.poll();
        if (m != null) {
            afterTake();
        } else {
            owner.flushReceived();
        }
        return m;
    }

    private void afterTake() {
        RECEIVED.setOpaque(this, received + 1);
        if (capacity != UNBOUNDED) {
            VarHandle.fullFence();
            SenderGate g = gate;
            if (g != null) {
                g.signalOneIfWaiting();
            }
        }
        owner.countReceived();
    }

    // ---------------------------------------------------------------- runtime internals

    boolean hasMessages() {
        MessagePassingQueue<T> q = queue;
        return q != null && !q.isEmpty();
    }

    boolean isForwarding() {
        return forward != null;
    }

    Inbox<?> passesThroughTo() {
        return forward;
    }

    long receivedCount() {
        return (long) RECEIVED.getOpaque(this);
    }

    /** Adopts the runtime's default capacity, unless a capacity was given or the queue already exists. */
    void bindDefaultCapacity(int runtimeDefault) {
        if (capacity == RUNTIME_DEFAULT && queue == null) {
            capacity = runtimeDefault;
        }
    }

    /** Closes this inbox when its owner ends: later sends fail, parked senders wake, leftovers are counted. */
    void close() {
        closed = true;
        SenderGate g = gate;
        if (g != null) {
            g.wakeAll();
        }
        MessagePassingQueue<T> q = queue;
        Metrics metrics = owner.metrics();
        if (q != null && metrics != null) {
            int left = q.drain(m -> { });
            metrics.dead.add(left);
        }
    }

    /**
     * Makes a bounded queue without the padding that keeps the producer and consumer indices on
     * separate cache lines: several hundred bytes less per inbox, for owners that are many and
     * mostly idle (handler-style actors). Call before the first send.
     */
    void preferCompact() {
        compact = true;
    }

    void setForward(Inbox<? super T> inner) {
        this.forward = inner;
    }

    /**
     * Makes this (outer) inbox deliver into {@code inner}: the pass-through of a composite component.
     * Every send to this inbox, direct or through a link, then lands in {@code inner}; the owner can
     * no longer receive from this inbox.
     */
    public void passThrough(Inbox<? super T> inner) {
        Links.passThrough(this, inner);
    }

    private int effectiveCapacity() {
        int c = capacity;
        if (c == RUNTIME_DEFAULT) {
            c = Weft.DEFAULT_INBOX_CAPACITY;
        }
        return c == UNBOUNDED ? UNBOUNDED : Math.max(2, Integer.highestOneBit(c - 1) << 1);
    }

    private MessagePassingQueue<T> queue() {
        MessagePassingQueue<T> q = queue;
        return q != null ? q : createQueue();
    }

    @SuppressWarnings("unchecked")
    private MessagePassingQueue<T> createQueue() {
        int c = effectiveCapacity();
        MessagePassingQueue<T> created = c == UNBOUNDED
                ? new MpscUnboundedAtomicArrayQueue<>(UNBOUNDED_CHUNK)
                : compact ? new MpscAtomicUnpaddedArrayQueue<>(c) : new MpscAtomicArrayQueue<>(c);
        MessagePassingQueue<T> witness = (MessagePassingQueue<T>) QUEUE.compareAndExchange(this, null, created);
        return witness == null ? created : witness;
    }

    private SenderGate gate() {
        SenderGate g = gate;
        if (g != null) {
            return g;
        }
        SenderGate created = new SenderGate();
        SenderGate witness = (SenderGate) GATE.compareAndExchange(this, null, created);
        return witness == null ? created : witness;
    }

    static long deadline(Duration timeout) {
        long nanos = timeout.toNanos();
        long now = System.nanoTime();
        return nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + Math.max(0, nanos);
    }

    @Override
    public String toString() {
        return owner.name() + "." + name;
    }
}
