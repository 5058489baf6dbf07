package dev.weft.runtime;

/**
 * Tells a downstream component that {@code producer} has sent its last message.
 *
 * @param producer the component that finished producing
 */
public record ProducerFinished(Component producer) implements Signal {
}
