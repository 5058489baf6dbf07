package dev.weft.actors.supervise;

/** When a {@link Supervisor} restarts a child that ended (Erlang's restart types). */
public enum Restart {
    /** Always: the child is meant to run as long as its supervisor. */
    PERMANENT,
    /** Only if it ended abnormally (failed or stopped by force); finishing normally is its last word. */
    TRANSIENT,
    /** Never: once it ends, it is gone, even when a sibling's restart stopped it. */
    TEMPORARY
}
