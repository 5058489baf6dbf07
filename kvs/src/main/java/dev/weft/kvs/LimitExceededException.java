package dev.weft.kvs;

/**
 * A request is over a limit of the backend and was refused before it was sent or applied: too many
 * watches on a connection, a frame over the server's limit, a transaction over etcd's 1.5 MiB or 128
 * operations. Nothing of it was applied.
 */
public final class LimitExceededException extends KvsException {
    private static final long serialVersionUID = 1L;

    public LimitExceededException(String message) {
        super(message);
    }
}
