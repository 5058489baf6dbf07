package dev.weft.kvs.check;

/** A session's call certainly did not apply: it was never sent, or the store refused it outright. */
public final class NotApplied extends Exception {
    private static final long serialVersionUID = 1L;

    public NotApplied(String message, Throwable cause) {
        super(message, cause);
    }
}
