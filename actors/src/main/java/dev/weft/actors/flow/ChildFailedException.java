package dev.weft.actors.flow;

/** The cause a composite fails with when one of its children failed; the child's exception is its cause. */
public final class ChildFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChildFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
