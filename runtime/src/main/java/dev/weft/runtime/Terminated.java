package dev.weft.runtime;

/**
 * Reports that a component has ended. Sent to the component's spawner and to every watcher.
 *
 * @param component the component that ended
 * @param state how it ended: {@link ComponentState#FINISHED}, {@link ComponentState#FAILED} or
 *     {@link ComponentState#STOPPED}
 * @param cause the exception that ended it, or {@code null} when it finished normally
 */
public record Terminated(Component component, ComponentState state, Throwable cause) implements Signal {

    /** Returns whether the component ended by throwing. */
    public boolean failed() {
        return state == ComponentState.FAILED;
    }
}
