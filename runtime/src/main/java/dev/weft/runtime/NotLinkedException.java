package dev.weft.runtime;

/** Thrown by {@link Outbox#send} on an outbox that is linked to nothing, under {@link UnlinkedPolicy#FAIL}. */
public final class NotLinkedException extends WeftException {
    private static final long serialVersionUID = 1L;

    NotLinkedException(String message) {
        super(message);
    }
}
