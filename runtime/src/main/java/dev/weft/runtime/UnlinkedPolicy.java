package dev.weft.runtime;

/** What {@link Outbox#send} does when the outbox is linked to nothing. Never a silent loss. */
public enum UnlinkedPolicy {
    /** Throw {@link NotLinkedException} at once (the default). */
    FAIL,
    /** Park the sender until the outbox is linked (a timed send gives up with {@link SendTimeoutException}). */
    WAIT,
    /** Drop the message and count it in the {@code weft.messages.discarded} metric. */
    DISCARD
}
