package dev.weft.runtime;

/**
 * A lifecycle message travelling on a component's {@code control} inbox or {@code signal} outbox.
 *
 * <p>The runtime defines {@link Shutdown}, {@link ProducerFinished} and {@link Terminated};
 * applications may add their own.
 */
public interface Signal {
}
