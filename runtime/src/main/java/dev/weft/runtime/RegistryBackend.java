package dev.weft.runtime;

import java.util.function.Consumer;

/**
 * Where a {@link ServiceRegistry} finds services beyond its own runtime: the SPI behind
 * {@link ServiceRegistry#install(RegistryBackend)}. A cluster module implements it (on etcd, say) so
 * that {@code weft.services().lookup(key)} finds a provider in another runtime and hands it out as a
 * {@link Sink}, as Pekko's Receptionist or Erlang's {@code global} do. Users never call it: they keep
 * using the registry; a backend changes where it looks, not how it is used.
 *
 * <p>A backend <em>shares</em> some keys (the ones it can carry, e.g. those it has a codec for) and
 * leaves the others to the runtime alone. For a shared key the registry publishes each local
 * registration through {@link #registered}, asks the backend when it has no local provider, starts
 * providers through {@link #lookupOrStart} (exactly one across runtimes), and takes its watchers'
 * events from {@link #watch} only: the backend's view includes this runtime's own providers, in the
 * order the backend saw them.
 */
public interface RegistryBackend {

    /** Whether {@code key}'s services are shared with other runtimes; the registry asks on every call. */
    boolean shares(ServiceKey<?> key);

    /**
     * Publishes a provider just registered in this runtime. May block (it runs with no registry lock
     * held).
     *
     * @throws IllegalStateException if another runtime provides the name; the registry then
     *     withdraws the local registration and rethrows
     */
    <T> void registered(ServiceKey<T> key, Inbox<T> inbox);

    /**
     * Withdraws a provider of this runtime: it ended or was unregistered. Called under the
     * registry's lock, often on the ending component's thread, so it must not block (nor wait for a
     * lock held while a {@link #watch} listener runs: the listener takes the registry's lock); it
     * may be called for a provider that was never (or not yet) published, and must then do nothing.
     */
    void unregistered(ServiceKey<?> key, Inbox<?> inbox);

    /**
     * Returns a sink to the provider of {@code key} in another runtime, or {@code null} if none.
     * May block.
     */
    <T> Sink<T> lookup(ServiceKey<T> key);

    /**
     * Returns the provider of {@code key} wherever it runs, starting it here through
     * {@code startHere} if no runtime provides it. However many runtimes race, {@code startHere} runs
     * in one of them only; it registers what it started, so {@link #registered} is called (on the
     * same thread) before it returns.
     */
    <T> Sink<T> lookupOrStart(ServiceKey<T> key, Starter<T> startHere) throws InterruptedException;

    /**
     * Tells {@code listener} of every change to {@code key}'s provider in any runtime, this one
     * included: {@link ServiceEvent.Up} with a sink to it, {@link ServiceEvent.Down} when it goes; an
     * {@code Up} first if one is provided now. Calls for one key never overlap and come in order.
     *
     * @return a handle that stops the events when closed
     */
    AutoCloseable watch(ServiceKey<?> key, Consumer<ServiceEvent> listener);

    /**
     * Starts a provider in this runtime and registers it.
     *
     * @param <T> the type of message the provider's inbox takes
     */
    @FunctionalInterface
    interface Starter<T> {
        /** Runs the user's starter once in this runtime and returns the registered inbox. */
        Inbox<T> start() throws InterruptedException;
    }
}
