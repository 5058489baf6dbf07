package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
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
 * rounded up to a power of two (at least 2). Messages from one sender arrive in the order sent, each
 * exactly once. After the owner ends, sends fail with {@link InboxClosedException}; a message that
 * was accepted but never taken is counted once in {@code weft.messages.dead}.
 *
 * <p>A send checks what it sends: {@code null} throws {@link NullPointerException}, and a message
 * that is not of the inbox's {@link #type()} (possible only through raw or unchecked types) throws
 * {@link ClassCastException} at the sender, so the receiver never sees it.
 *
 * <p>An owner may let senders handle a message on their own thread while nothing is queued
 * ({@link #takeInline}): a socket writes a reply from the thread that sends it, with no hand-off.
 *
 * @param <T> the type of message this inbox takes
 */
public final class Inbox<T> implements Sink<T> {
    /*
     * The queue is a JCTools MPSC queue (the field-updater flavour, which needs no sun.misc.Unsafe),
     * created on first use so that an idle component costs a few small objects, not a padded array.
     * Every send goes through SendPath (the fast path and the slow one); the rarely used parts of
     * an inbox (parked senders, space callbacks, a pass-through and its hand-on) live in its
     * SenderGate, created on first need. Offers report ACCEPTED, FULL, REFUSED (closed) or MOVED
     * (handed off).
     *
     * State (`state`, one volatile int): OPEN (0) while the owner receives; the bit CLOSED once the
     * owner has ended; the bit HANDED_OFF once a pass-through is set, after which the owner never
     * takes from the queue again and what is in it belongs to the inner inbox. The bits above them
     * count requests for a dead-letter drain (below).
     *
     * A send that finds the state changed after its offer succeeded raced the change; its message
     * is treated as accepted just before it, since it may already have been taken:
     *   - CLOSED: it is a dead letter unless taken. close() and every such late sender ask for a
     *     drain of the queue: they add one request to `state`; the one that raised the count from
     *     zero drains, subtracts what it served and goes round again while requests remain (the
     *     JCTools/RxJava drain loop). So the queue keeps one consumer at a time, and each message
     *     left in it is counted dead exactly once, by whichever drain takes it.
     *   - HANDED_OFF: it must reach the inner inbox behind what was queued before it (SenderGate).
     *
     * Inline taking (takeInline). The taker lives in the inbox's SenderGate (made for it), so an
     * inbox without one costs no memory for it; it is written once, before the owner starts, and
     * offerHere reads the gate (the volatile read resolve() already pays) and, if there is one, its
     * taker. With a taker, a send that finds the state OPEN, the queue empty and
     * itself not on the owner's receiving thread calls the taker first; true ends the send
     * (counted sent, and received in the gate's `takenInline`, a separate atomic counter that senders add to,
     * so the owner's own count stays a plain single-writer field), false or a throw goes on to the
     * queue as if there were no taker. Order: the empty check comes after the sender's earlier sends
     * completed, so each of its earlier messages was handled by the taker or already polled by the
     * owner, which holds the taker's lock from poll() until it has handled it; a taker that gets the
     * lock therefore comes after all of them (per-sender and causal order). Its re-check of
     * isEmpty() under the lock also puts it behind what other senders queued meanwhile. Whatever a
     * sender finds, the message is either handled by the taker or queued, never both, never neither.
     * An inline take signals the gate as a take does: senders parked at a full inbox are let in one
     * per take, and one let in that is then taken inline makes no room, so it must let in the next.
     */
    static final int UNBOUNDED = -1;
    private static final int RUNTIME_DEFAULT = 0;
    private static final int UNBOUNDED_CHUNK = 32;
    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    private static final int HANDED_OFF = 2;
    private static final int DRAIN_REQUEST = 4;
    static final int ACCEPTED = 0;
    static final int FULL = 1;
    static final int REFUSED = 2;
    static final int MOVED = 3;
    private static final VarHandle QUEUE;
    private static final VarHandle GATE;
    private static final VarHandle STATE;
    private static final VarHandle RECEIVED;
    private static final System.Logger LOG = System.getLogger(Inbox.class.getName());

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            QUEUE = lookup.findVarHandle(Inbox.class, "queue", MessagePassingQueue.class);
            GATE = lookup.findVarHandle(Inbox.class, "gate", SenderGate.class);
            STATE = lookup.findVarHandle(Inbox.class, "state", int.class);
            RECEIVED = lookup.findVarHandle(Inbox.class, "received", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Component owner;
    private final String name;
    private final Class<T> type;
    private int capacity;
    private volatile MessagePassingQueue<T> queue;
    private volatile SenderGate gate;
    private volatile int state;
    /** Messages the owner took so far: written by the owner only (opaque, so never torn), read by inspectors. */
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
    @Override
    public Class<T> type() {
        return type;
    }

    /**
     * The component that owns this inbox, for the runtime only: whoever holds the owner could stop or
     * rewire it, so the public questions are {@link #isOwnedBy}, {@link #ownerName}, {@link #isClosed}
     * and {@link #onClose}.
     */
    Component owner() {
        return owner;
    }

    /** Returns whether {@code component} owns this inbox (the one that receives from it). */
    public boolean isOwnedBy(Component component) {
        return owner == component;
    }

    /** Returns the name of the component that owns this inbox, for messages, logs and addresses. */
    public String ownerName() {
        return owner.name();
    }

    /**
     * Runs {@code callback} once this inbox has closed because its owner ended: on the ending
     * component's thread, after its inboxes closed, or at once on the calling thread if the owner has
     * ended already. For whoever keeps something on the owner's behalf (a registration, a channel) and
     * must let it go when the owner ends. It must be short and must not block; one that throws is
     * logged and the end goes on to the other watchers and joiners.
     */
    public void onClose(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        owner.addWatcher(news -> {
            try {
                callback.run();
            } catch (RuntimeException | Error e) {   // the end must still reach joiners and later watchers
                System.getLogger(Inbox.class.getName()).log(System.Logger.Level.WARNING,
                        "an onClose callback of " + this + " threw; the end goes on", e);
            }
        });
    }

    /**
     * Returns how many messages this inbox holds at most ({@link Integer#MAX_VALUE} when unbounded):
     * the declared capacity rounded up to a power of two, at least 2.
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

    /**
     * Lets senders hand a message straight to {@code taker} on their own thread while nothing waits
     * in this inbox, instead of queueing it and waking the owner: a socket adapter writes a reply
     * from the thread that sends it. For the owner's own use, set once while it is being built.
     *
     * <p>Every send into this inbox (blocking, timed or {@code trySend}; direct, through a link, a
     * pass-through that leads here, or an ask) that finds it open and empty first calls
     * {@code taker.test(message)}, unless the sender is the owner's own receiving thread (the owner
     * is awake then, so queueing costs no wake-up, and a taker it re-entered would overtake the
     * message it is handling). {@code true}: the message is delivered, counted as sent and as
     * received, never queued, and the owner is not woken. {@code false}: the send goes on as if
     * there were no taker (queued, the owner woken, back-pressure as usual). A closed or handed-off
     * inbox never calls it: such a send fails or moves on as always.
     *
     * <p>The taker must not block, and keeps the order itself: it returns {@code false} unless it can
     * handle the message after every message queued before it. The recipe: the owner holds a lock
     * from its {@link #poll()} until it has handled what it took; the taker {@code tryLock}s that
     * lock, and handles the message only if {@link #isEmpty()} still holds under it. A taker that
     * throws is logged (WARNING) and counts as {@code false}: the message is queued, nothing is lost,
     * and the sender does not fail.
     *
     * @throws IllegalStateException if the owner has been spawned already, a taker is set already,
     *     or this inbox passes through to another (set the taker on the inner inbox)
     */
    public void takeInline(Predicate<? super T> taker) {
        Objects.requireNonNull(taker, "taker");
        if (owner.state() != ComponentState.CREATED) {
            throw new IllegalStateException("cannot set an inline taker on inbox '" + name + "' of " + owner.name()
                    + ": it is " + owner.state().name().toLowerCase(java.util.Locale.ROOT)
                    + "; set it before the component is spawned (in its constructor)");
        }
        if (isForwarding()) {
            throw new IllegalStateException("cannot set an inline taker on inbox '" + name + "' of " + owner.name()
                    + ": it passes through to " + passesThroughTo() + "; set it on that inbox");
        }
        if (!gate().setTaker(taker)) {
            throw new IllegalStateException("inbox '" + name + "' of " + owner.name()
                    + " has an inline taker already; set one taker that handles every case");
        }
    }

    // ---------------------------------------------------------------- sending (any thread)

    /**
     * Sends a message, parking the calling thread while the inbox is full.
     *
     * @throws InterruptedException if the sender is interrupted while parked
     * @throws InboxClosedException if the owner has ended
     * @throws IllegalStateException if the caller is the owner and the inbox is full: only the
     *     owner could make room, so the send would wait forever
     */
    @Override
    public void send(T message) throws InterruptedException {
        SendPath.deliver(this, message, Deadline.NONE);
    }

    /**
     * Sends a message, waiting at most {@code timeout} for space.
     *
     * @throws SendTimeoutException if the inbox stayed full for the whole timeout
     * @throws InterruptedException if the sender is interrupted while parked
     * @throws InboxClosedException if the owner has ended
     * @throws IllegalStateException if the caller is the owner and the inbox is full
     */
    @Override
    public void send(T message, Duration timeout) throws InterruptedException {
        SendPath.deliver(this, message, Deadline.after(timeout));
    }

    /**
     * Sends a message if there is space now.
     *
     * @return {@code true} if the message was accepted, {@code false} if the inbox is full (or, for
     *     a pass-through set a moment ago, still handing its earlier messages on)
     * @throws InboxClosedException if the owner has ended
     */
    @Override
    public boolean trySend(T message) {
        return SendPath.offer(this, message);
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
    @Override
    public <R> R ask(java.util.function.Function<? super ReplyTo<R>, ? extends T> request, Duration timeout)
            throws InterruptedException {
        return ReplyTo.ask(this, request, timeout);
    }

    /**
     * Runs {@code callback} once, after the owner next takes a message from this inbox (or from the
     * inbox it passes through to), when it closes, or when a pass-through set on it starts taking
     * sends elsewhere: the wake-on-pop of a sender that must not park.
     * Register after {@link #trySend} failed, then try again: if that try fails too, the callback is
     * sure to run once a slot frees. It may run when another sender has taken the slot already, so it
     * should only prompt a new {@code trySend}. It runs on the thread that took the message, so it must
     * be short, must not block and must not throw (a throw is logged). An unbounded inbox, or a closed
     * one, runs it at once on the calling thread.
     */
    public void onSpace(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        Inbox<? super T> target = resolve();
        if (!target.isBounded() || target.isClosed()) {
            callback.run();
            return;
        }
        SenderGate g = target.gate();
        g.addCallback(callback);
        if (target.isClosed() || resolve() != target) {
            g.runCallbacks();   // closed, or a pass-through published meanwhile: the retry goes elsewhere
        }
    }

    /**
     * The inbox that sends to this one land in: this one, or the end of its published pass-through
     * chain. The hot path reads only `state` (a pass-through is published after HANDED_OFF is set,
     * and that bit is never cleared), not the gate, whose cache line parked senders write.
     */
    @SuppressWarnings("unchecked")
    Inbox<? super T> resolve() {
        if ((state & HANDED_OFF) == 0) {
            return this;
        }
        SenderGate g = gate;
        Inbox<?> next = g.forward();
        if (next == null) {
            return this;
        }
        Inbox<?> at = next;
        while ((g = at.gate) != null && (next = g.forward()) != null) {
            at = next;
        }
        return (Inbox<? super T>) at;
    }

    /**
     * Offers into this inbox's own queue, not following a pass-through: ACCEPTED (and the owner is
     * woken), FULL, REFUSED (the owner has ended) or MOVED (this inbox is handed off).
     */
    int offerHere(Object message) {
        if (!type.isInstance(message)) {
            throw wrongType(message);
        }
        if (state != OPEN) {
            return (state & HANDED_OFF) != 0 ? MOVED : REFUSED;
        }
        @SuppressWarnings("unchecked")
        T m = (T) message;
        @SuppressWarnings("unchecked")
        SenderGate g = gate;
        Predicate<? super T> t = g == null ? null : (Predicate<? super T>) g.taker();
        if (t != null && isEmpty() && !owner.isReceiverThread() && takenInline(g, t, m)) {
            return ACCEPTED;
        }
        if (!queue().offer(m)) {
            return FULL;
        }
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.sent.increment();
        }
        if (state == OPEN) {
            owner.wake();
        } else {
            acceptedLate();
        }
        return ACCEPTED;
    }

    /** Offers {@code message} to the inline taker; returns whether it took it (and counts it if so). */
    private boolean takenInline(SenderGate g, Predicate<? super T> t, T message) {
        try {
            if (!t.test(message)) {
                return false;
            }
        } catch (RuntimeException | Error e) {   // the message is queued instead: nothing lost, the sender not failed
            LOG.log(System.Logger.Level.WARNING, "the inline taker of inbox '" + name + "' of " + owner.name()
                    + " threw; the message is queued instead", e);
            return false;
        }
        g.countTakenInline();
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.sent.increment();
            metrics.received.increment();
        }
        lettingNextSenderIn();
        return true;
    }

    /**
     * After an inline take, does what a take does for senders parked at a full inbox: each take lets
     * one in. The one let in may have been taken inline, which made no room for the next; without
     * this the rest would stay parked at an inbox that is empty.
     */
    private void lettingNextSenderIn() {
        if (capacity != UNBOUNDED) {
            VarHandle.fullFence();
            SenderGate g = gate;
            if (g != null) {
                g.signalOneIfWaiting();
            }
        }
    }

    /** A message was accepted as the state changed: hand it on, or count it dead if nobody took it. */
    private void acceptedLate() {
        if ((state & HANDED_OFF) != 0) {
            gate().handOnLate(this);
        } else {
            drainDead();
        }
    }

    /** Throws if the calling thread is this inbox's receiver, which would wait for room only it could make. */
    void refuseOwnWait() {
        if (owner.isReceiverThread()) {
            throw owner.waitsForItself("sent into its own full inbox '" + name
                    + "' (only it could make room; use trySend, or give the inbox more room)");
        }
    }

    void countBackPressureWait() {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.backPressureWaits.increment();
        }
    }

    SendTimeoutException sendTimeout(String why) {
        return new SendTimeoutException("inbox '" + name + "' of " + owner.name() + " " + why);
    }

    /**
     * Returns whether this inbox is closed: its owner has ended, so every send from now on fails
     * with {@link InboxClosedException}. What a sender may know without holding the owner.
     */
    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    InboxClosedException closedException() {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.dead.increment();
        }
        return new InboxClosedException("inbox '" + name + "' of " + owner.name() + " is closed: the component "
                + owner.state().name().toLowerCase(java.util.Locale.ROOT));
    }

    private RuntimeException wrongType(Object message) {
        if (message == null) {
            return new NullPointerException("cannot send null to inbox '" + name + "' of " + owner.name());
        }
        return new ClassCastException("inbox '" + name + "' of " + owner.name() + " takes " + type.getName()
                + ", not " + message.getClass().getName() + " (sent through a raw or unchecked type)");
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
            owner.awaitMessages(this, null, Deadline.NONE);
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
        long deadline = Deadline.after(timeout);
        while (owner.awaitMessages(this, null, deadline)) {
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

    /** Whether a pass-through was set: the owner may no longer receive here. */
    boolean isForwarding() {
        return (state & HANDED_OFF) != 0;
    }

    /** The inner inbox this one passes through to, or null. */
    Inbox<?> passesThroughTo() {
        if (!isForwarding()) {
            return null;
        }
        return gate.passesThroughTo();
    }

    long receivedCount() {
        SenderGate g = gate;
        return (long) RECEIVED.getOpaque(this) + (g == null ? 0 : g.takenInline());
    }

    /** Adopts the runtime's default capacity, unless a capacity was given or the queue already exists. */
    void bindDefaultCapacity(int runtimeDefault) {
        if (capacity == RUNTIME_DEFAULT && queue == null) {
            capacity = runtimeDefault;
        }
    }

    /**
     * Closes this inbox when its owner ends: later sends are refused, parked senders wake, and what
     * is left in the queue counts dead (unless the inbox is handed off: that is the inner inbox's).
     */
    void close() {
        int was = (int) STATE.getAndBitwiseOr(this, CLOSED);
        SenderGate g = gate;
        if (g != null) {
            g.wakeAll();
        }
        if ((was & HANDED_OFF) == 0) {
            drainDead();
        }
    }

    /** Counts what is left in the queue of a closed inbox as dead; see the drain loop in the class comment. */
    private void drainDead() {
        if ((int) STATE.getAndAdd(this, DRAIN_REQUEST) >= DRAIN_REQUEST) {
            return;   // a drain is under way, and goes round once more for this request
        }
        Metrics metrics = owner.metrics();
        for (int requests = 1; requests != 0; ) {
            MessagePassingQueue<T> q = queue;
            int left = q == null ? 0 : q.drain(m -> { });
            if (metrics != null) {
                metrics.dead.add(left);
            }
            int before = (int) STATE.getAndAdd(this, -requests * DRAIN_REQUEST);
            requests = (before >>> 2) - requests;
        }
    }


    /** Sets HANDED_OFF: from now on the owner never takes from the queue (SenderGate.handOff, under its lock). */
    void markHandedOff() {
        STATE.getAndBitwiseOr(this, HANDED_OFF);
    }

    /** Takes the next queued message of a handed-off inbox, for the mover that hands it on (SenderGate). */
    T takeHandedOff() {
        MessagePassingQueue<T> q = queue;
        return q == null ? null : q.poll();
    }

    /**
     * Makes this (outer) inbox deliver into {@code inner}: the pass-through of a composite component.
     * Every send to this inbox, direct or through a link, then lands in {@code inner}; the owner can
     * no longer receive from this inbox. Messages already queued here move on to {@code inner} in
     * order, ahead of later ones, and senders waiting here for room are woken and deliver there.
     * Calling it again moves the pass-through to another inner inbox (a sender waiting on the old
     * one's full queue follows, unless that one's owner is still running and takes its message).
     *
     * @throws IllegalStateException unless called before the owner is spawned or by the owner's
     *     own body (nothing else may take from this inbox's queue), or if this inbox has an
     *     {@linkplain #takeInline inline taker}
     * @throws IllegalArgumentException if {@code inner} does not take this inbox's type, or the
     *     pass-through would make a cycle
     */
    public void passThrough(Inbox<? super T> inner) {
        SenderGate g = gate;
        if (g != null && g.taker() != null) {
            throw new IllegalStateException("cannot pass inbox '" + name + "' of " + owner.name() + " through to "
                    + inner + ": it has an inline taker, which would never be called; set the taker on " + inner);
        }
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
                : owner.prefersCompactInboxes() ? new MpscAtomicUnpaddedArrayQueue<>(c) : new MpscAtomicArrayQueue<>(c);
        MessagePassingQueue<T> witness = (MessagePassingQueue<T>) QUEUE.compareAndExchange(this, null, created);
        return witness == null ? created : witness;
    }

    SenderGate gate() {
        SenderGate g = gate;
        if (g != null) {
            return g;
        }
        SenderGate created = new SenderGate();
        SenderGate witness = (SenderGate) GATE.compareAndExchange(this, null, created);
        return witness == null ? created : witness;
    }

    @Override
    public String toString() {
        return owner.name() + "." + name;
    }
}
