package dev.weft.runtime;

/** What a watcher of a {@link ServiceKey} is told: a service appeared or went away. */
public sealed interface ServiceEvent extends Signal {

    /** The key the event is about. */
    ServiceKey<?> key();

    /**
     * The service named by {@code key} is now provided through {@code sink}.
     *
     * @param key the service's key
     * @param sink where to send to the service now
     * @param <T> the type of message the service takes
     */
    record Up<T>(ServiceKey<T> key, Sink<T> sink) implements ServiceEvent {
    }

    /**
     * The service named by {@code key} is no longer provided (its provider ended or deregistered it).
     *
     * @param key the service's key
     */
    record Down(ServiceKey<?> key) implements ServiceEvent {
    }
}
