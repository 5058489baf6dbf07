package dev.weft.runtime;

/** Thrown by {@link Inbox#ask ask} when the component asked ended before it replied. */
public final class AskTargetEndedException extends WeftException {
    private static final long serialVersionUID = 1L;
    private final transient Terminated terminated;

    AskTargetEndedException(String message, Terminated terminated) {
        super(message);
        this.terminated = terminated;
    }

    /** Returns how the component asked ended. */
    public Terminated terminated() {
        return terminated;
    }
}
