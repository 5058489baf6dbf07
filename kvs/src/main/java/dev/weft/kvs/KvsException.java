package dev.weft.kvs;

/**
 * A KVS operation failed. Each refusal has its own subclass, the same from every backend
 * ({@link ConflictException}, {@link VersionNotRetainedException}, {@link NotAValueException},
 * {@link NotADirectoryException}, {@link NoSuchNamespaceException},
 * {@link NamespaceExistsException}, {@link LimitExceededException},
 * {@link AuthenticationException}); {@link OutcomeUnknownException} means the reply was lost and the
 * call may or may not have taken effect. This class itself covers the rest: a bad key or argument, a
 * closed store, a failed log, a protocol error.
 */
public class KvsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KvsException(String message) {
        super(message);
    }

    public KvsException(String message, Throwable cause) {
        super(message, cause);
    }
}
