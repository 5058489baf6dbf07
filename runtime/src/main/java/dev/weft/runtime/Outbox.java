package dev.weft.runtime;

import java.time.Duration;
import java.util.Set;

/**
 * A typed outlet of a component, linked to at most one inbox at a time.
 *
 * <p>{@link #send(Object)} writes straight into the linked inbox's queue and wakes its owner; there
 * is no intermediary. Back-pressure is the linked inbox's: a full inbox parks the sender. An outbox
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

    /** The final inbox that sends go to, with every pass-through resolved; null when unlinked. */
    private volatile Inbox<? super T> target;

    // Guarded by Links.LOCK.
    private Inbox<? super T> link;
    private Outbox<? super T> forward;
    private Set<Outbox<?>> passingIn;

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

    /** Returns whether sends currently reach an inbox. */
    public boolean isLinked() {
        return target != null;
    }

    /** Returns the inbox that sends currently reach, pass-throughs resolved, or {@code null}. */
    public Inbox<? super T> target() {
        Inbox<? super T> t = target;
        return t == null ? null : t.resolve();
    }

    /**
     * Links this outbox to {@code inbox}, replacing any earlier link. Messages already delivered stay
     * where they are; the next send goes to the new inbox.
     *
     * @throws IllegalArgumentException if the inbox does not take this outbox's message type
     * @throws IllegalStateException if this outbox passes through to another outbox
     */
    public void linkTo(Inbox<? super T> inbox) {
        Links.link(this, inbox);
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
        requireMessage(message);
        Inbox<? super T> t = target;
        if (t == null && (t = unlinkedTarget(message, Long.MAX_VALUE, false)) == null) {
            return;
        }
        t.deliver(message, Long.MAX_VALUE, false);
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
        requireMessage(message);
        long deadline = Inbox.deadline(timeout);
        Inbox<? super T> t = target;
        if (t == null && (t = unlinkedTarget(message, deadline, true)) == null) {
            return;
        }
        t.deliver(message, deadline, true);
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
        requireMessage(message);
        Inbox<? super T> t = target;
        if (t == null) {
            return switch (policy) {
                case FAIL -> throw notLinked();
                case WAIT -> false;
                case DISCARD -> discard();
            };
        }
        return t.deliverNow(message);
    }

    /** Returns the target to send to once linked, or null when the message was discarded. */
    private Inbox<? super T> unlinkedTarget(T message, long deadline, boolean timed) throws InterruptedException {
        return switch (policy) {
            case FAIL -> throw notLinked();
            case DISCARD -> {
                discard();
                yield null;
            }
            case WAIT -> Links.awaitTarget(this, deadline, timed);
        };
    }

    private void requireMessage(T message) {
        if (message == null) {
            throw new NullPointerException("cannot send null through outbox '" + name + "' of " + owner.name());
        }
    }

    private boolean discard() {
        Metrics metrics = owner.metrics();
        if (metrics != null) {
            metrics.discarded.increment();
        }
        return true;
    }

    private NotLinkedException notLinked() {
        return new NotLinkedException("outbox '" + name + "' of " + owner.name() + " is not linked to any inbox");
    }

    // ---------------------------------------------------------------- link state, guarded by Links.LOCK

    Inbox<? super T> link() {
        return link;
    }

    void setLink(Inbox<? super T> inbox) {
        this.link = inbox;
    }

    Outbox<? super T> forward() {
        return forward;
    }

    void setForward(Outbox<? super T> outer) {
        this.forward = outer;
    }

    Set<Outbox<?>> passingIn() {
        return passingIn;
    }

    void setPassingIn(Set<Outbox<?>> inner) {
        this.passingIn = inner;
    }

    void setTarget(Inbox<? super T> resolved) {
        this.target = resolved;
    }

    @Override
    public String toString() {
        return owner.name() + "." + name;
    }
}
