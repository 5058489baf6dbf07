package dev.weft.runtime;

/** Thrown to a sender whose target inbox belongs to a component that has ended. */
public final class InboxClosedException extends WeftException {
    private static final long serialVersionUID = 1L;

    InboxClosedException(String message) {
        super(message);
    }
}
