package dev.weft.actors.supervise;

/**
 * What a {@link Supervisor} fails with when it gives up: its children needed more restarts than its
 * intensity allows, or a child could not be started. Its parent (or watcher) sees the supervisor's
 * {@link dev.weft.runtime.Terminated} with this cause, and may restart the supervisor in turn.
 */
public final class EscalationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EscalationException(String message, Throwable cause) {
        super(message, cause);
    }
}
