package dev.weft.kvs;

/**
 * A directory was needed and the key is a value or missing: a list of a value or of a missing key, a
 * put beneath a value.
 */
public final class NotADirectoryException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NotADirectoryException(String message) {
        super(message);
    }
}
