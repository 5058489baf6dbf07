package dev.weft.actors.flow;

/** Ends a {@link SubscribeTo} whose buffer overflowed under {@link Overflow#DISCONNECT}. */
public final class BackplaneOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BackplaneOverflowException(String message) {
        super(message);
    }
}
