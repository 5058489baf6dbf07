package dev.weft.kvs;

/** The namespace does not exist, or was removed. */
public final class NoSuchNamespaceException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NoSuchNamespaceException(String message) {
        super(message);
    }
}
