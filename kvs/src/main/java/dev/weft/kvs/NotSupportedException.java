package dev.weft.kvs;

/**
 * This backend cannot do what was asked, by the nature of its storage (docs/kvs.md, "On etcd",
 * says what and why). Nothing was done; the same request works on the other backends.
 */
public final class NotSupportedException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NotSupportedException(String message) {
        super(message);
    }
}
