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
 * <p>Within one runtime this is the whole story. With a {@link RegistryBackend} installed (a cluster
 * module does it), the same calls reach services in other runtimes: a key the backend shares is
 * published when registered here, looked up in the backend when no provider is registered here
 * (a provider elsewhere comes back as a {@link Sink} to it), started once across runtimes by
 * {@link #lookupOrStart}, and watched through the backend, so a watcher hears of providers in every
 * runtime. Keys the backend does not share stay in this runtime.
 *
 * <p>Safe to use from any thread. Lookups read a concurrent map; changes take one lock and never
 * block inside it, so a service's start (which may block) and the backend's calls run outside it.
 */
public final class ServiceRegistry {
    /*
     * With a backend, a shared key's watchers are fed by the backend alone (its events include this
     * runtime's providers), so nothing local tells them: one source, one order. `remote` holds, per
     * shared key with watchers, the backend's watch handle and the last Up it reported (for a watcher
     * that joins later); a key without an entry there (not shared, or watched before it was shared,
     * or after the backend left) has its watchers told locally, as without a backend. The backend's watch starts outside the lock (it may block); events that race
     * with its start take the lock like every other change.
     */
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
    private final Map<String, RemoteView> remote = new java.util.HashMap<>();
    private volatile RegistryBackend backend;

    /** A shared key's watch in the backend; guarded by lock. */
    private static final class RemoteView {
        AutoCloseable handle;
        ServiceEvent.Up<?> current;
    }

    ServiceRegistry(Weft weft) {
        this.weft = weft;
    }

    /**
     * Installs {@code backend}, which shares services with other runtimes from now on. A runtime has
     * one backend at most; registrations made before it is installed stay local.
     *
     * @throws IllegalStateException if another backend is installed
     */
    public void install(RegistryBackend backend) {
        Objects.requireNonNull(backend, "backend");
        lock.lock();
        try {
            if (this.backend != null) {
                throw new IllegalStateException("the registry of this runtime already has the backend " + this.backend
                        + "; uninstall it before installing " + backend);
            }
            this.backend = backend;
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code backend} if it is the installed one, and ends the watches it was running. */
    public void uninstall(RegistryBackend backend) {
        List<AutoCloseable> handles = new ArrayList<>();
        lock.lock();
        try {
            if (this.backend != backend) {
                return;
            }
            this.backend = null;
            for (RemoteView v : remote.values()) {
                if (v.handle != null) {
                    handles.add(v.handle);
                }
            }
            remote.clear();
        } finally {
            lock.unlock();
        }
        handles.forEach(ServiceRegistry::closeQuietly);
    }

    /** Returns the installed backend if it shares {@code key}, else {@code null}. */
    private RegistryBackend sharing(ServiceKey<?> key) {
        RegistryBackend b = backend;
        return b != null && b.shares(key) ? b : null;
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
        RegistryBackend shared = sharing(key);
        Registration<T> mine = new Registration<>(key, inbox);
        lock.lock();
        try {
            Registration<?> existing = services.get(key.name());
            if (existing != null) {
                throw new IllegalStateException("service '" + key.name() + "' is already provided by "
                        + existing.inbox());
            }
            services.put(key.name(), mine);
            byProvider.computeIfAbsent(inbox.owner(), c -> new ArrayList<>(1)).add(key);
            if (!remote.containsKey(key.name())) {
                tellWatchers(key.name(), new ServiceEvent.Up<>(key, inbox));
            }
        } finally {
            lock.unlock();
        }
        if (shared != null) {
            publish(shared, mine);
        }
        if (inbox.owner().state().isTerminal()) {
            providerEnded(inbox.owner());
        }
    }

    /**
     * Publishes a shared registration; withdraws it here if the backend refuses. A registration
     * that ended while it was being published is withdrawn from the backend again, since the
     * withdrawal that came meanwhile found nothing published yet.
     */
    private <T> void publish(RegistryBackend shared, Registration<T> mine) {
        try {
            shared.registered(mine.key(), mine.inbox());
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                if (services.remove(mine.key().name(), mine)) {
                    List<ServiceKey<?>> keys = byProvider.get(mine.provider());
                    if (keys != null) {
                        keys.remove(mine.key());
                    }
                }
            } finally {
                lock.unlock();
            }
            throw e;
        }
        if (services.get(mine.key().name()) != mine) {
            shared.unregistered(mine.key(), mine.inbox());
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
                withdrawn(gone);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells the backend of a shared key, and the local watchers unless the backend feeds them, that
     * {@code gone} went; under lock.
     */
    private void withdrawn(Registration<?> gone) {
        RegistryBackend shared = sharing(gone.key());
        if (shared != null) {
            shared.unregistered(gone.key(), gone.inbox());
        }
        if (!remote.containsKey(gone.key().name())) {
            tellWatchers(gone.key().name(), new ServiceEvent.Down(gone.key()));
        }
    }

    /**
     * Returns the sink of the service named by {@code key}, or {@code null} if none is registered.
     * A provider in this runtime comes first; with a backend that shares the key, a provider in
     * another runtime comes next, as a sink that sends to it (the lookup may then wait on the
     * backend).
     *
     * @throws IllegalArgumentException if the registered service takes a different type
     */
    public <T> Sink<T> lookup(ServiceKey<T> key) {
        Inbox<T> local = localLookup(key);
        if (local != null) {
            return local;
        }
        RegistryBackend shared = sharing(key);
        return shared == null ? null : shared.lookup(key);
    }

    private <T> Inbox<T> localLookup(ServiceKey<T> key) {
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
        RegistryBackend shared = sharing(key);
        if (shared == null) {
            return startOnce(key, starter);
        }
        Inbox<T> local = localLookup(key);
        return local != null ? local : shared.lookupOrStart(key, () -> startOnce(key, starter));
    }

    /** Returns the local provider of {@code key}, running {@code starter} once in this runtime if there is none. */
    private <T> Inbox<T> startOnce(ServiceKey<T> key, Function<Weft, Inbox<T>> starter) throws InterruptedException {
        Inbox<T> found = localLookup(key);
        if (found != null) {
            return found;
        }
        CompletableFuture<Inbox<?>> mine = null;
        CompletableFuture<Inbox<?>> theirs;
        lock.lock();
        try {
            found = localLookup(key);
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
        RegistryBackend shared = sharing(key);
        RemoteView started = null;
        lock.lock();
        try {
            List<Component> list = watchers.computeIfAbsent(key.name(), n -> new ArrayList<>(2));
            list.removeIf(w -> w.state().isTerminal());
            list.add(watcher);
            if (shared == null) {
                Registration<?> current = services.get(key.name());
                if (current != null) {
                    watcher.deliverSignal(up(current));
                }
            } else {
                RemoteView view = remote.get(key.name());
                if (view == null) {
                    started = new RemoteView();
                    remote.put(key.name(), started);
                } else if (view.current != null) {
                    watcher.deliverSignal(view.current);
                }
            }
        } finally {
            lock.unlock();
        }
        if (started != null) {
            startRemoteWatch(shared, key, started);
        }
    }

    /** Starts the backend's watch of a shared key, with no lock held: the backend may block. */
    private void startRemoteWatch(RegistryBackend shared, ServiceKey<?> key, RemoteView view) {
        AutoCloseable handle;
        try {
            handle = shared.watch(key, event -> remoteEvent(view, event));
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                remote.remove(key.name(), view);
            } finally {
                lock.unlock();
            }
            throw e;
        }
        boolean kept;
        lock.lock();
        try {
            kept = remote.get(key.name()) == view;
            view.handle = handle;
        } finally {
            lock.unlock();
        }
        if (!kept) {
            closeQuietly(handle);
        }
    }

    private void remoteEvent(RemoteView view, ServiceEvent event) {
        lock.lock();
        try {
            if (remote.get(event.key().name()) != view) {
                return;
            }
            view.current = event instanceof ServiceEvent.Up<?> up ? up : null;
            tellWatchers(event.key().name(), event);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            System.getLogger(ServiceRegistry.class.getName()).log(System.Logger.Level.WARNING,
                    "closing a registry backend's watch failed", e);
        }
    }

    /** Stops telling {@code watcher} about {@code key}. */
    public void unwatch(ServiceKey<?> key, Component watcher) {
        AutoCloseable stop = null;
        lock.lock();
        try {
            List<Component> list = watchers.get(key.name());
            if (list != null) {
                list.remove(watcher);
                if (list.isEmpty()) {
                    RemoteView view = remote.remove(key.name());
                    stop = view == null ? null : view.handle;
                }
            }
        } finally {
            lock.unlock();
        }
        if (stop != null) {
            closeQuietly(stop);
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
                    withdrawn(r);
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
