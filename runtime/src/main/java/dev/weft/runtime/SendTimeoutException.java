package dev.weft.runtime;

/** Thrown by a timed send when the target inbox stayed full (or the outbox unlinked) for the whole timeout. */
public final class SendTimeoutException extends WeftException {
    private static final long serialVersionUID = 1L;

    /** For other implementations of {@link Sink}: the one exception a timed send throws when it gives up. */
    public SendTimeoutException(String message) {
        super(message);
    }
}
