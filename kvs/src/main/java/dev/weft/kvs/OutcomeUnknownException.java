package dev.weft.kvs;

/**
 * The reply to a call was lost: its timeout passed, or the connection to the server (or the etcd
 * member) failed while the call was pending. The call may or may not have taken effect. A commit
 * that fails this way may have been applied: read (or use a precondition) before retrying it. Never
 * thrown for a refusal the backend reported.
 */
public final class OutcomeUnknownException extends KvsException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message) {
        super(message);
    }

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
