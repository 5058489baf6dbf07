package dev.weft.runtime;

/** The life of a component: created, running, then exactly one of the three end states. */
public enum ComponentState {
    /** Constructed, not yet spawned. */
    CREATED,
    /** Spawned; its body may be running or parked. */
    RUNNING,
    /** Its body returned normally. */
    FINISHED,
    /** Its body threw; the cause is in {@link Terminated#cause()}. */
    FAILED,
    /** It was stopped by force (interrupted by {@link Component#stop()} or by the runtime closing). */
    STOPPED;

    /** Returns whether this is one of the end states. */
    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == STOPPED;
    }
}
