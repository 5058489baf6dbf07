package dev.weft.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Finds shared services by typed key: Kamaelia's co-ordinating assistant tracker. A service is an
 * inbox of a live component; the registry forgets it when that component ends.
 *
 * <pre>{@code
 * Inbox<Request> kvs = weft.services().lookupOrStart(KVS_KEY, w -> w.spawn(new KvsService()).inbox);
 * }</pre>
 *
 * <p>Safe to use from any thread. Lookups read a concurrent map; changes take one lock and never
 * block inside it, so a service's start (which may block) runs outside it.
 */
public final class ServiceRegistry {
    private record Registration<T>(ServiceKey<T> key, Inbox<T> inbox) {
        Component provider() {
            return inbox.owner();
        }
    }

    private final Weft weft;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Registration<?>> services = new ConcurrentHashMap<>();
    private final Map<Component, List<ServiceKey<?>>> byProvider = new ConcurrentHashMap<>();
    // Guarded by lock.
    private final Map<String, CompletableFuture<Inbox<?>>> starting = new java.util.HashMap<>();
    private final Map<String, List<Component>> watchers = new java.util.HashMap<>();

    ServiceRegistry(Weft weft) {
        this.weft = weft;
    }

    /**
     * Registers {@code inbox} as the service named by {@code key}. The registration ends when the
     * inbox's owner ends, or on {@link #unregister}.
     *
     * @throws IllegalStateException if the name is already registered
     * @throws IllegalArgumentException if the inbox does not take the key's type
     */
    public <T> void register(ServiceKey<T> key, Inbox<T> inbox) {
        Objects.requireNonNull(inbox, "inbox");
        if (!inbox.type().isAssignableFrom(key.type())) {
            throw new IllegalArgumentException("cannot register " + inbox + " (" + inbox.type().getName()
                    + ") as " + key + ": it does not take " + key.type().getName());
        }
        if (inbox.owner().state().isTerminal()) {
            throw new IllegalStateException("cannot register " + inbox + " as " + key + ": its owner has ended");
        }
        lock.lock();
        try {
            Registration<?> existing = services.get(key.name());
            if (existing != null) {
                throw new IllegalStateException("service '" + key.name() + "' is already provided by "
                        + existing.inbox());
            }
            services.put(key.name(), new Registration<>(key, inbox));
            byProvider.computeIfAbsent(inbox.owner(), c -> new ArrayList<>(1)).add(key);
            tellWatchers(key.name(), new ServiceEvent.Up<>(key, inbox));
        } finally {
            lock.unlock();
        }
        if (inbox.owner().state().isTerminal()) {
            providerEnded(inbox.owner());
        }
    }

    /** Removes the service named by {@code key}, if registered. */
    public void unregister(ServiceKey<?> key) {
        lock.lock();
        try {
            Registration<?> gone = services.remove(key.name());
            if (gone != null) {
                List<ServiceKey<?>> keys = byProvider.get(gone.provider());
                if (keys != null) {
                    keys.removeIf(k -> k.name().equals(key.name()));
                }
                tellWatchers(key.name(), new ServiceEvent.Down(gone.key()));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the sink of the service named by {@code key}, or {@code null} if none is registered.
     *
     * @throws IllegalArgumentException if the registered service takes a different type
     */
    public <T> Sink<T> lookup(ServiceKey<T> key) {
        Registration<?> r = services.get(key.name());
        return r == null ? null : checked(key, r.inbox());
    }

    /**
     * Returns the service named by {@code key}, starting it first if none is registered. However
     * many callers race, {@code starter} runs once and all get the same sink; the others park until
     * it has started. The starter spawns the providing component and returns its service inbox,
     * which the registry then registers (the starter must not register it itself).
     *
     * @throws WeftException if the service could not be started: the starter threw (the cause), or
     *     returned no inbox, or the provider ended before it could be registered; every caller
     *     waiting for this start gets it, and the next call tries again
     */
    public <T> Sink<T> lookupOrStart(ServiceKey<T> key, Function<Weft, Inbox<T>> starter)
            throws InterruptedException {
        Sink<T> found = lookup(key);
        if (found != null) {
            return found;
        }
        CompletableFuture<Inbox<?>> mine = null;
        CompletableFuture<Inbox<?>> theirs;
        lock.lock();
        try {
            found = lookup(key);
            if (found != null) {
                return found;
            }
            theirs = starting.get(key.name());
            if (theirs == null) {
                mine = new CompletableFuture<>();
                starting.put(key.name(), mine);
            }
        } finally {
            lock.unlock();
        }
        if (theirs != null) {
            try {
                return checked(key, theirs.get());
            } catch (ExecutionException e) {
                throw new WeftException(e.getCause().getMessage(), e.getCause());
            }
        }
        try {
            Inbox<T> started = Objects.requireNonNull(starter.apply(weft), "the starter returned no inbox");
            register(key, started);
            mine.complete(started);
            return started;
        } catch (RuntimeException e) {
            WeftException failed = new WeftException("starting service " + key + " failed: " + e.getMessage(), e);
            mine.completeExceptionally(failed);
            throw failed;
        } catch (Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            lock.lock();
            try {
                starting.remove(key.name());
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Tells {@code watcher}, on its control inbox, whenever the service named by {@code key} appears
     * ({@link ServiceEvent.Up}) or goes ({@link ServiceEvent.Down}); if it is registered now, an
     * {@code Up} comes at once. Events for one key arrive in the order they happened. The watch ends
     * when the watcher ends or calls {@link #unwatch}.
     */
    public void watch(ServiceKey<?> key, Component watcher) {
        lock.lock();
        try {
            List<Component> list = watchers.computeIfAbsent(key.name(), n -> new ArrayList<>(2));
            list.removeIf(w -> w.state().isTerminal());
            list.add(watcher);
            Registration<?> current = services.get(key.name());
            if (current != null) {
                watcher.deliverSignal(up(current));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops telling {@code watcher} about {@code key}. */
    public void unwatch(ServiceKey<?> key, Component watcher) {
        lock.lock();
        try {
            List<Component> list = watchers.get(key.name());
            if (list != null) {
                list.remove(watcher);
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many watchers {@code key} has, ended ones not yet pruned included; for tests. */
    int watcherCount(ServiceKey<?> key) {
        lock.lock();
        try {
            List<Component> list = watchers.get(key.name());
            return list == null ? 0 : list.size();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the names of the services registered now. */
    public List<String> names() {
        return List.copyOf(services.keySet());
    }

    /** Returns each registered key with its inbox, for introspection. */
    Map<ServiceKey<?>, Inbox<?>> registrations() {
        Map<ServiceKey<?>, Inbox<?>> all = new java.util.LinkedHashMap<>();
        for (Registration<?> r : services.values()) {
            all.put(r.key(), r.inbox());
        }
        return all;
    }

    /** Called as any component ends: forgets the services it provided. */
    void providerEnded(Component component) {
        if (byProvider.isEmpty() || !byProvider.containsKey(component)) {
            return;
        }
        lock.lock();
        try {
            List<ServiceKey<?>> keys = byProvider.remove(component);
            if (keys == null) {
                return;
            }
            for (ServiceKey<?> key : keys) {
                Registration<?> r = services.get(key.name());
                if (r != null && r.provider() == component) {
                    services.remove(key.name());
                    tellWatchers(key.name(), new ServiceEvent.Down(r.key()));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Delivers under the lock, so each watcher sees one key's events in order; control never refuses. */
    private void tellWatchers(String name, ServiceEvent event) {
        List<Component> list = watchers.get(name);
        if (list == null) {
            return;
        }
        list.removeIf(w -> w.state().isTerminal());
        for (Component w : list) {
            w.deliverSignal(event);
        }
    }

    private static <T> ServiceEvent.Up<T> up(Registration<T> r) {
        return new ServiceEvent.Up<>(r.key(), r.inbox());
    }

    @SuppressWarnings("unchecked")
    private static <T> Inbox<T> checked(ServiceKey<T> key, Inbox<?> inbox) {
        if (!inbox.type().isAssignableFrom(key.type())) {
            throw new IllegalArgumentException("service '" + key.name() + "' takes " + inbox.type().getName()
                    + ", not " + key.type().getName());
        }
        return (Inbox<T>) inbox;
    }
}
