package dev.weft.kvs;

/** A namespace of that name exists already. */
public final class NamespaceExistsException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NamespaceExistsException(String message) {
        super(message);
    }
}
