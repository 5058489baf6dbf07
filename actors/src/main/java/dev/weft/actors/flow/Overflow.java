package dev.weft.actors.flow;

/**
 * What a {@link Backplane} does when a subscriber's buffer is full. Every policy keeps memory
 * bounded; each dropped message is counted in the {@code weft.backplane.dropped} counter.
 */
public enum Overflow {
    /** Wait for the subscriber to make room: the slowest subscriber sets the pace for all (the default). */
    BLOCK,
    /** Drop the oldest buffered message to make room: the subscriber sees the latest news. */
    DROP_OLDEST,
    /** Drop the message that does not fit: the subscriber sees the earliest news. */
    DROP_NEWEST,
    /**
     * Unsubscribe the subscriber: it gets what it had buffered, then ends failed with
     * {@link BackplaneOverflowException}; the message that did not fit counts as one drop.
     */
    DISCONNECT
}
