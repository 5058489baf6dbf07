package dev.weft.kvs.check;

/**
 * A session's commit was refused because a precondition did not hold: nothing applied. The store may
 * say which key it found at which version ({@link Outcome#NONE} where it does not), and at which
 * root version it looked.
 */
public final class PreconditionFailed extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final long actual;
    private final long version;

    public PreconditionFailed(String key, long actual, long version) {
        super("precondition failed: '" + key + "' at version " + actual);
        this.key = key;
        this.actual = actual;
        this.version = version;
    }

    /** Returns the key whose precondition failed, or null if the store did not say. */
    public String key() {
        return key;
    }

    /** Returns the version the store found the key at, or {@link Outcome#NONE}. */
    public long actual() {
        return actual;
    }

    /** Returns the root version the store looked at, or {@link Outcome#NONE}. */
    public long version() {
        return version;
    }
}
