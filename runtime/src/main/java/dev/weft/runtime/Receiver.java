package dev.weft.runtime;

/**
 * How a component receives: what runs it, how a sender wakes it, and which thread may take its
 * messages. {@link Component} keeps the boxes and the lifecycle and asks its receiver for the rest.
 *
 * <ul>
 *   <li>{@link Parking}: a thread-style component's body runs on its own virtual thread, which
 *       parks in {@code receive} and {@code select} until a sender unparks it.
 *   <li>{@link Turns}: an {@link Actor} holds no thread while idle; a send schedules a turn on the
 *       runtime's dispatcher. A handler that blocks in a receive parks as a thread-style body does.
 *   <li>{@link EdgeTriggered}: a {@link Bridge} is drained by a thread outside Weft; a send fires
 *       its integrator's hook once per drained-to-holding transition.
 * </ul>
 */
abstract class Receiver {
    static final Inbox<?>[] NO_INBOXES = new Inbox<?>[0];

    /**
     * The rotating start of {@link Component#select}, so that a busy inbox cannot starve another.
     * Only its value modulo the number of inboxes matters, so 16 bits do. Receiving thread only.
     */
    char selectCursor;

    /** Starts receiving, once the component is spawned and RUNNING. */
    abstract void launch();

    /** Called by an inbox after every offer it accepted while open: on every send's hot path. */
    abstract void wake();

    /** Returns whether the calling thread may take messages from the component's inboxes now. */
    abstract boolean isReceiverThread();

    /**
     * Waits until one of the inboxes ({@code one}, or else {@code many}) has a message or the deadline
     * passes. Called only by the receiving thread.
     *
     * @return false if the deadline passed, true otherwise (which may be a spurious wake-up)
     */
    abstract boolean awaitMessages(Inbox<?> one, Inbox<?>[] many, long deadline) throws InterruptedException;

    /** Makes whoever receives notice a {@link Component#stop()} whose flag is already set. */
    abstract void stopping();

    /** Returns the inboxes the component waits on, for diagnostics (none if it is not waiting). */
    Inbox<?>[] awaiting() {
        return NO_INBOXES;
    }

    /** Returns whether a thread is parked waiting for a message. */
    boolean isParked() {
        return false;
    }
}
