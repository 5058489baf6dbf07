package dev.weft.kvs;

/**
 * A transaction's precondition did not hold, so nothing was committed. Re-read and retry.
 */
public final class ConflictException extends KvsException {
    private static final long serialVersionUID = 1L;
    private final String namespace;
    private final String key;
    private final long expected;
    private final long actual;

    public ConflictException(String namespace, String key, long expected, long actual) {
        super("conflict in namespace '" + namespace + "' on key '" + key + "': expected version "
                + expected + ", found " + actual);
        this.namespace = namespace;
        this.key = key;
        this.expected = expected;
        this.actual = actual;
    }

    /** Returns the namespace the transaction was committed to. */
    public String namespace() {
        return namespace;
    }

    /** Returns the key whose version did not match. */
    public String key() {
        return key;
    }

    /** Returns the version the transaction required ({@link Txn#ABSENT} for "must not exist"). */
    public long expected() {
        return expected;
    }

    /** Returns the key's version when the commit was tried ({@link Txn#ABSENT} if missing). */
    public long actual() {
        return actual;
    }
}
