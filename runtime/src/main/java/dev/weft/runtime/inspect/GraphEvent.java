package dev.weft.runtime.inspect;

import dev.weft.runtime.ComponentState;

/**
 * A change to a runtime's graph, as told to a {@link GraphListener}. For one component,
 * {@link Spawned} always comes before {@link Ended}.
 */
public sealed interface GraphEvent {

    /** A component was spawned; {@code parent} is its spawner's id, or {@code null}. */
    record Spawned(long id, String name, String type, Long parent) implements GraphEvent {
    }

    /**
     * A component ended in {@code state}; {@link ComponentState#CREATED} means its spawn failed and
     * was undone after {@link Spawned} was told (the component may be spawned again).
     */
    record Ended(long id, String name, ComponentState state) implements GraphEvent {
    }

    /**
     * A link or pass-through starting at {@code from} changed: it now goes to {@code to}, or to
     * nothing when {@code to} is {@code null}. Told only for boxes of components already spawned.
     */
    record LinkChanged(LinkKind kind, BoxRef from, BoxRef to) implements GraphEvent {
    }
}
