package dev.weft.runtime;

/** Thrown by {@link Inbox#ask ask} when no reply came within its timeout. */
public final class AskTimeoutException extends WeftException {
    private static final long serialVersionUID = 1L;

    AskTimeoutException(String message) {
        super(message);
    }
}
