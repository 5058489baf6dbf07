package dev.weft.runtime;

/** The base of the runtime's unchecked exceptions. */
public class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WeftException(String message) {
        super(message);
    }

    WeftException(String message, Throwable cause) {
        super(message, cause);
    }
}
