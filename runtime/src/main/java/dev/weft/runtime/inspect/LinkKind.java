package dev.weft.runtime.inspect;

/** The kinds of edge in a {@link GraphSnapshot}. */
public enum LinkKind {
    /** An outbox linked to an inbox ({@code from} an outbox, {@code to} an inbox). */
    LINK,
    /** An inner outbox passing through to its composite's outbox ({@code from} inner, {@code to} outer). */
    OUTBOX_PASS_THROUGH,
    /** A composite's inbox passing through to an inner inbox ({@code from} outer, {@code to} inner). */
    INBOX_PASS_THROUGH,
    /**
     * A component that sends straight into an inbox without a link, as reported by
     * {@link Inspectable#deliversTo()} ({@code from} names the component with box {@code "*"}).
     */
    DELIVERY
}
