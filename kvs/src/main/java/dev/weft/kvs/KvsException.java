package dev.weft.kvs;

/** A KVS operation failed: bad key, wrong node type, missing namespace, or a broken store. */
public class KvsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KvsException(String message) {
        super(message);
    }

    public KvsException(String message, Throwable cause) {
        super(message, cause);
    }
}
