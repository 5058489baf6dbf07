package dev.weft.runtime;

/**
 * Thrown to a sender whose target inbox belongs to a component that has ended. The message was not
 * accepted anywhere (it counts once in {@code weft.messages.dead}), so sending it again elsewhere
 * cannot deliver it twice. A send through a pass-through that has moved on meanwhile goes to the new
 * inner inbox instead of throwing.
 */
public final class InboxClosedException extends WeftException {
    private static final long serialVersionUID = 1L;

    InboxClosedException(String message) {
        super(message);
    }
}
