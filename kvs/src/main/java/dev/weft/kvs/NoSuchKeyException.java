package dev.weft.kvs;

/**
 * An operation needs a key that is missing: the source of a copy or a move. Nothing was committed.
 * (A read of a missing key is not refused: it finds nothing.)
 */
public final class NoSuchKeyException extends KvsException {
    private static final long serialVersionUID = 1L;

    public NoSuchKeyException(String message) {
        super(message);
    }
}
