package dev.weft.runtime;

import java.time.Duration;
import java.util.Set;

/**
 * A typed outlet of a component, linked to at most one {@link Sink} at a time.
 *
 * <p>{@link #send(Object)} writes straight into the linked inbox's queue and wakes its owner; there
 * is no intermediary. Back-pressure is the linked inbox's: a full inbox parks the sender. A sink that
 * is not a local inbox (a link to another node, say) is driven through its own {@link Sink#send},
 * {@link Sink#send(Object, Duration)} and {@link Sink#trySend}. An outbox
 * linked to nothing follows its {@link UnlinkedPolicy}: by default it throws
 * {@link NotLinkedException}, so a message is never lost silently.
 *
 * <p>An outbox of an inner component can pass through to an outbox of its composite parent
 * ({@link #passThrough(Outbox)}); sends then go straight to wherever the parent's outbox is linked.
 *
 * @param <T> the type of message sent through this outbox
 */
public final class Outbox<T> {
    private final Component owner;
    private final String name;
    private final Class<T> type;
    private final UnlinkedPolicy policy;

    /**
     * The final sink that sends go to, with every pass-through resolved; null when unlinked. Without
     * a pass-through it is this outbox's own link, so the link needs no field of its own.
     */
    private volatile Sink<? super T> target;

    /** The pass-through state, guarded by the link lock (see Links); null until a pass-through involves this outbox. */
    private PassThroughs passThroughs;

    /** The rarely used link state of an outbox, kept apart so that an unwired outbox stays small. */
    private static final class PassThroughs {
        /** The outer outbox this one passes through to, or null. */
        Outbox<?> forward;
        /** The inner outboxes passing through to this one, or null. */
        Set<Outbox<?>> passingIn;
    }

    Outbox(Component owner, String name, Class<T> type, UnlinkedPolicy policy) {
        this.owner = owner;
        this.name = name;
        this.type = type;
        this.policy = policy;
    }

    /** Returns the name of this box within its component, e.g. {@code "outbox"} or {@code "signal"}. */
    public String name() {
        return name;
    }

    /** Returns the type of message sent through this outbox. */
    public Class<T> type() {
        return type;
    }

    /** Returns the component that owns this outbox. */
    public Component owner() {
        return owner;
    }

    /** Returns what a send does while this outbox is linked to nothing. */
    public UnlinkedPolicy unlinkedPolicy() {
        return policy;
    }

    /** Returns whether sends currently reach a sink. */
    public boolean isLinked() {
        return target != null;
    }

    /** Returns the sink that sends currently reach, pass-throughs resolved, or {@code null}. */
    public Sink<? super T> target() {
        Sink<? super T> t = target;
        return t instanceof Inbox<? super T> in ? in.resolve() : t;
    }

    /**
     * Links this outbox to {@code sink}, replacing any earlier link. Messages already delivered stay
     * where they are; the next send goes to the new sink.
     *
     * @throws IllegalArgumentException if the sink does not take this outbox's message type, or is
     *     an inbox of another runtime
     * @throws IllegalStateException if this outbox passes through to another outbox
     */
    public void linkTo(Sink<? super T> sink) {
        Links.link(this, sink);
    }

    /** Removes this outbox's link, if any. */
    public void unlink() {
        Links.unlink(this);
    }

    /**
     * Makes this (inner) outbox send wherever {@code outer} is linked, now and after every relink:
     * the pass-through of a composite component.
     */
    public void passThrough(Outbox<? super T> outer) {
        Links.passThrough(this, outer);
    }

    /**
     * Sends a message, parking while the linked inbox is full.
     *
     * @throws NullPointerException if {@code message} is null, whatever the link
     * @throws NotLinkedException if unlinked under {@link UnlinkedPolicy#FAIL}
     * @throws InboxClosedException if the linked inbox's owner has ended
     * @throws InterruptedException if interrupted while parked
     */
    public void send(T message) throws InterruptedException {
        SendPath.send(this, message, Deadline.NONE);
    }

    /**
     * Sends a message, waiting at most {@code timeout} for space (and, under
     * {@link UnlinkedPolicy#WAIT}, for a link).
     *
     * @throws SendTimeoutException if the message could not be delivered in time
     * @throws NullPointerException if {@code message} is null, whatever the link
     * @throws NotLinkedException if unlinked under {@link UnlinkedPolicy#FAIL}
     * @throws InboxClosedException if the linked inbox's owner has ended
     * @throws InterruptedException if interrupted while parked
     */
    public void send(T message, Duration timeout) throws InterruptedException {
        SendPath.send(this, message, Deadline.after(timeout));
    }

    /**
     * Sends a message if the linked inbox has space now.
     *
     * @return {@code false} if the inbox is full, or if unlinked under {@link UnlinkedPolicy#WAIT}
     * @throws NullPointerException if {@code message} is null, whatever the link
     * @throws NotLinkedException if unlinked under {@link UnlinkedPolicy#FAIL}
     * @throws InboxClosedException if the linked inbox's owner has ended
     */
    public boolean trySend(T message) {
        return SendPath.trySend(this, message);
    }

    /** Checks a message about to be sent and returns where it goes now: the cached target, or null when unlinked. */
    Sink<? super T> targetFor(T message) {
        beforeSend(message);
        return target;
    }

    /** Refuses null, and tells the owner what goes out on its signal outbox (see Component.endOfInput). */
    private void beforeSend(T message) {
        if (message == null) {
            throw new NullPointerException("cannot send null through outbox '" + name + "' of " + owner.name());
        }
        if (this == owner.signal) {
            owner.signalSent(message);
        }
    }

    boolean discard() {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.discarded.increment();
        }
        return true;
    }

    NotLinkedException notLinked() {
        return new NotLinkedException("outbox '" + name + "' of " + owner.name() + " is not linked to any inbox");
    }

    // ---------------------------------------------------------------- link state, guarded by Links.LOCK

    /** This outbox's own link (not through a pass-through), or null. */
    Sink<? super T> link() {
        return forward() == null ? target : null;
    }

    /** Sets this outbox's own link; Links then recomputes the targets (see Links.retarget). */
    void setLink(Sink<? super T> sink) {
        this.target = sink;
    }

    @SuppressWarnings("unchecked")
    Outbox<? super T> forward() {
        PassThroughs p = passThroughs;
        return p == null ? null : (Outbox<? super T>) p.forward;
    }

    void setForward(Outbox<? super T> outer) {
        passThroughs().forward = outer;
    }

    Set<Outbox<?>> passingIn() {
        PassThroughs p = passThroughs;
        return p == null ? null : p.passingIn;
    }

    void setPassingIn(Set<Outbox<?>> inner) {
        passThroughs().passingIn = inner;
    }

    private PassThroughs passThroughs() {
        PassThroughs p = passThroughs;
        return p != null ? p : (passThroughs = new PassThroughs());
    }

    void setTarget(Sink<? super T> resolved) {
        this.target = resolved;
    }

    @Override
    public String toString() {
        return owner.name() + "." + name;
    }
}
