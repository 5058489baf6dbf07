package dev.weft.runtime;

/** A scheduled delivery from {@link Timers}; cancel it to stop it. */
public interface Timer {
    /**
     * Cancels this timer. For a one-shot timer, {@code true} means its message was not and will
     * never be delivered; {@code false} means it already fired. For a periodic timer, no tick starts
     * after this returns (one under way on the timer thread may still finish); {@code true} if this
     * call stopped it.
     */
    boolean cancel();
}
