package dev.weft.actors.supervise;

import dev.weft.runtime.Component;
import dev.weft.runtime.Terminated;
import java.time.Duration;

/** What a {@link Supervisor} reports on its {@code events} outbox, in the order it happens. */
public sealed interface SupervisionEvent {

    /** The child's name, as in its {@link ChildSpec}. */
    String child();

    /**
     * A new instance of {@code child} was wired and spawned.
     *
     * @param restarts how many times the child had been restarted before this start
     */
    record Started(String child, Component instance, int restarts) implements SupervisionEvent {
    }

    /** An instance of {@code child} ended, as {@code how} says: by itself, or stopped by the supervisor. */
    record Exited(String child, Terminated how) implements SupervisionEvent {
    }

    /** {@code child} will be started again after {@code delay} (its back-off). */
    record RestartScheduled(String child, Duration delay) implements SupervisionEvent {
    }

    /** Restarting {@code child} would exceed the intensity: the supervisor stops its children and fails. */
    record GivingUp(String child, int restarts, Duration window) implements SupervisionEvent {
    }
}
