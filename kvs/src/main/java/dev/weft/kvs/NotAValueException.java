package dev.weft.kvs;

/** A value was needed and the key is a directory: a read of a directory, an append to one. */
public final class NotAValueException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NotAValueException(String message) {
        super(message);
    }

    /** The refusal of a read of directory {@code key}. */
    static NotAValueException directory(String namespace, String key) {
        return new NotAValueException("'" + key + "' is a directory in namespace '" + namespace + "'");
    }
}
