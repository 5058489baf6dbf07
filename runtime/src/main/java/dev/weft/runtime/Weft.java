package dev.weft.runtime;

import dev.weft.runtime.inspect.GraphListener;
import dev.weft.runtime.inspect.GraphSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The runtime: spawns components, links their boxes, counts what they do, and stops them all on
 * {@link #close()}.
 *
 * <pre>{@code
 * try (Weft weft = Weft.start()) {
 *     Producer producer = new Producer();
 *     Consumer consumer = new Consumer();
 *     weft.pipe(producer.outbox, consumer.inbox);   // link first: the data, and the end of it
 *     weft.spawn(consumer);
 *     weft.spawn(producer);
 *     consumer.join();                              // returns once the consumer has seen the end
 * }
 * }</pre>
 *
 * <p>A runtime is safe to use from any thread.
 */
public final class Weft implements AutoCloseable {
    /*
     * Spawn versus close. spawn() adds the component to `live` and then reads `closing`; close()
     * stores `closing` and then reads `live` (volatile accesses inside the concurrent set). Either
     * spawn sees `closing` and undoes itself, or close finds the component and shuts it down: no
     * component starts unseen by a close that is already under way.
     *
     * A spawn that throws undoes everything it did: the component leaves `live` (waking a close
     * that waits for it), the spawn count goes back, graph listeners hear it ended in CREATED, and
     * the component is CREATED again, free to be spawned later.
     */
    /** The capacity of an inbox declared without one, unless the builder sets another. */
    public static final int DEFAULT_INBOX_CAPACITY = 64;

    private static final System.Logger LOG = System.getLogger(Weft.class.getName());
    private static final Duration STRAGGLER_REPORT_INTERVAL = Duration.ofSeconds(5);

    private final int defaultInboxCapacity;
    private final Duration shutdownGrace;
    private final MeterRegistry meterRegistry;
    private final Metrics metrics;
    private final ServiceRegistry services = new ServiceRegistry(this);
    private final Consumer<? super Terminated> onFailure;
    private final Timers timers;
    private final Dispatcher dispatcher;
    private final Set<Component> live = ConcurrentHashMap.newKeySet();
    private final GraphEvents events = new GraphEvents();
    private final Links links = new Links(this);
    private final Extensions extensions = new Extensions();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allEnded = lock.newCondition();
    private volatile boolean closing;

    private Weft(Builder builder) {
        this.defaultInboxCapacity = builder.defaultInboxCapacity;
        this.shutdownGrace = builder.shutdownGrace;
        this.meterRegistry = builder.meterRegistry != null ? builder.meterRegistry : new SimpleMeterRegistry();
        this.metrics = new Metrics(meterRegistry, this);
        this.onFailure = builder.onFailure;
        this.timers = new Timers(metrics);
        this.dispatcher = new Dispatcher(builder.workers, builder.stuckTurnThreshold);
    }

    /** Starts a runtime with the default settings. */
    public static Weft start() {
        return builder().start();
    }

    /** Returns a builder for a runtime with custom settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Spawns a component: binds it to this runtime and starts its body on a new virtual thread (an
     * {@link Actor}: queues its first turn on the runtime's workers). If it throws, nothing has
     * changed: the component is still {@link ComponentState#CREATED}, the runtime does not count it,
     * and no turn of it is queued.
     *
     * @return the same component, for chaining
     * @throws IllegalStateException if the component was spawned before or this runtime is closing
     * @throws IllegalArgumentException if the component's settings are invalid (an actor's throughput)
     */
    public <C extends Component> C spawn(C component) {
        return spawn(component, null);
    }

    <C extends Component> C spawn(C component, Component parent) {
        Objects.requireNonNull(component, "component");
        component.checkSpawnable();
        if (closing) {
            throw closingRefusal(component);
        }
        component.bind(this, parent, defaultInboxCapacity);
        live.add(component);
        if (closing) {
            forget(component);
            component.unbind();
            throw closingRefusal(component);
        }
        metrics.spawned.increment();
        events.spawned(component);
        try {
            component.start();
        } catch (RuntimeException | Error e) {
            forget(component);
            metrics.spawned.decrement();
            events.ended(new Terminated(component, ComponentState.CREATED, e));
            component.unbind();
            throw e;
        }
        return component;
    }

    private static IllegalStateException closingRefusal(Component component) {
        return new IllegalStateException("the runtime is closing; cannot spawn " + component.name());
    }

    /** Links {@code from} to {@code to}; see {@link Outbox#linkTo(Sink)}. */
    public <T> void link(Outbox<T> from, Sink<? super T> to) {
        from.linkTo(to);
    }

    /**
     * Links data and lifecycle in one call: {@code from} to {@code to}, and {@code from}'s owner's
     * {@code signal} outbox to {@code to}'s owner's {@code control} inbox, so that when the producer
     * finishes, the consumer hears it. Link before spawn, as with {@link #link}.
     *
     * @throws IllegalArgumentException if {@code to} does not take {@code from}'s type, or is a sink
     *     that is not a local inbox (it has no control inbox; use {@link #link})
     * @throws IllegalStateException if the producer's signal already goes to another component's
     *     control inbox: a producer tells one consumer that it has finished
     */
    public <T> void pipe(Outbox<T> from, Sink<? super T> to) {
        if (!(to instanceof Inbox<?> inbox)) {
            throw new IllegalArgumentException("cannot pipe " + from + " to " + to + ": it is not a local inbox, so it"
                    + " has no control inbox to tell when " + from.owner().name() + " finishes; use link instead");
        }
        Outbox<Signal> signal = from.owner().signal;
        Inbox<Signal> control = inbox.owner().control;
        Sink<? super Signal> already = signal.target();
        if (already != null && already != control) {
            throw new IllegalStateException("cannot pipe " + from + " to " + to + ": " + signal + " already goes to "
                    + already + "; a producer tells one consumer it has finished. Link the data alone with"
                    + " link(" + from + ", " + to + ")");
        }
        from.linkTo(to);
        signal.linkTo(control);
    }

    /** Removes the link of {@code from}, if any. */
    public void unlink(Outbox<?> from) {
        from.unlink();
    }

    /**
     * Returns this runtime's instance of the extension {@code id}, creating it on first use. Racing
     * callers wait for the one creation; see {@link Extension}.
     *
     * @throws WeftException if the creation failed (the cause says why); the next call tries again
     * @throws IllegalStateException if called for {@code id} by its own creation
     */
    public <E> E extension(Extension<E> id) {
        return extensions.get(this, id);
    }

    /** Returns the registry of shared services (the selector, the KVS, backplanes...). */
    public ServiceRegistry services() {
        return services;
    }

    /** Returns the runtime's timers: messages delivered to inboxes after a delay or periodically. */
    public Timers timers() {
        return timers;
    }

    /** Returns the registry this runtime's meters (names under {@code weft.}) are registered in. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * Returns one line per live component that waits for end of input that can never come: it waits
     * on its {@link Component#control control} inbox for {@link ProducerFinished} and no outbox is
     * linked to that inbox. Each line names the component, the missing link and the fix. Empty when
     * nothing looks stuck that way.
     */
    public List<String> diagnose() {
        List<String> findings = new ArrayList<>();
        for (Component c : live) {
            String missing = Stalls.missingProducer(c, c.awaiting(), live, links);
            if (missing != null) {
                findings.add(c.name() + ": " + missing);
            }
        }
        return findings;
    }

    /** Describes what {@code c} is doing, for its timed-out join. */
    String diagnose(Component c) {
        return Stalls.describe(c, live, links);
    }

    /** Returns a picture of the live components, their boxes, links and services; see {@link GraphSnapshot}. */
    public GraphSnapshot snapshot() {
        return Snapshots.take(links, live, services);
    }

    /** Tells {@code listener} of every spawn, end and link change from now on; see {@link GraphListener}. */
    public void addGraphListener(GraphListener listener) {
        events.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops telling {@code listener}. */
    public void removeGraphListener(GraphListener listener) {
        events.remove(listener);
    }

    /** Returns how many components are spawned and not yet ended. */
    public int liveComponents() {
        return live.size();
    }

    /**
     * Returns whether {@link #close()} has begun. From then on spawns are refused, so a component
     * that restarts others (a supervisor) should let them end instead.
     */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Stops every component and waits for them: first cancels every timer and sends {@link Shutdown}
     * to each control inbox (except to the children of a running component that
     * {@linkplain Component#shutsDownItsChildren() shuts its children down itself}: its parent stops
     * them), then, after the shutdown grace period, interrupts those still running, then waits until
     * all have ended. Idempotent. If the calling thread is interrupted while it waits, the components
     * still running are interrupted at once and this returns without waiting for them, with the
     * thread's interrupt status set.
     */
    @Override
    public void close() {
        closing = true;
        timers.close();
        for (Component c : live) {
            Component parent = c.parent();
            if (parent == null || !parent.shutsDownItsChildren() || parent.state().isTerminal()) {
                c.shutdown();
            }
        }
        boolean interrupted = false;
        try {
            if (!awaitAllEnded(shutdownGrace.toNanos())) {
                for (Component c : live) {
                    c.stop();
                }
                while (!awaitAllEnded(STRAGGLER_REPORT_INTERVAL.toNanos())) {
                    LOG.log(Level.WARNING, "still waiting for {0} component(s) to end after interrupt: {1}",
                            live.size(), sample(live));
                }
            }
            dispatcher.close();
        } catch (InterruptedException e) {
            interrupted = true;
            for (Component c : live) {
                c.stop();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitAllEnded(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (!live.isEmpty()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = allEnded.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static List<String> sample(Set<Component> components) {
        List<String> names = new ArrayList<>();
        for (Component c : components) {
            if (names.size() == 5) {
                names.add("...");
                break;
            }
            names.add(c.name());
        }
        return names;
    }

    // ---------------------------------------------------------------- internals

    Metrics metrics() {
        return metrics;
    }

    Links links() {
        return links;
    }

    GraphEvents events() {
        return events;
    }

    /** Runs the turns of this runtime's handler-style actors. */
    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Called by a component as it starts to end, before anything is told: reports a failure, forgets its services. */
    void ending(Terminated news) {
        if (news.state() == ComponentState.FAILED) {
            metrics.failed.increment();
            logFailure(news);
            if (onFailure != null) {
                try {
                    onFailure.accept(news);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, "failure listener threw", e);
                }
            }
        }
        services.providerEnded(news.component());
    }

    /**
     * Logs a failure at the component's own level, unless its spawner reports its children's
     * failures itself (a supervisor). Level.OFF is checked here: a System.Logger logs OFF as the
     * most severe level rather than not at all.
     */
    private static void logFailure(Terminated news) {
        Component c = news.component();
        Level level = c.failureLogLevel();
        Component spawner = c.parent();
        if (level != Level.OFF && (spawner == null || !spawner.reportsChildFailures())) {
            LOG.log(level, "component " + c.name() + " failed", news.cause());
        }
    }

    /** Called by a component once it has ended and closed its inboxes. */
    void ended(Terminated news) {
        forget(news.component());
        events.ended(news);
    }

    /** Removes a component from the live set, waking a close that waits for the last one. */
    private void forget(Component component) {
        live.remove(component);
        if (closing && live.isEmpty()) {
            lock.lock();
            try {
                allEnded.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    long totalInboxDepth() {
        long depth = 0;
        for (Component c : live) {
            depth += c.inboxDepth();
        }
        return depth;
    }

    /** Settings for a {@link Weft} runtime. */
    public static final class Builder {
        private int defaultInboxCapacity = DEFAULT_INBOX_CAPACITY;
        private Duration shutdownGrace = Duration.ofSeconds(1);
        private MeterRegistry meterRegistry;
        private Consumer<? super Terminated> onFailure;
        private int workers = Runtime.getRuntime().availableProcessors();
        private Duration stuckTurnThreshold = Dispatcher.DEFAULT_STUCK_THRESHOLD;

        private Builder() {
        }

        /**
         * Sets how many worker virtual threads run the turns of handler-style {@link Actor}s at once
         * (default: the number of available processors). Workers start on demand and are reused;
         * an actor's handler that blocks hands its worker's other actors to a replacement.
         */
        public Builder workers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("workers must be at least 1: " + count);
            }
            this.workers = count;
            return this;
        }

        /**
         * Sets how long an actor's turn may run or block outside Weft (JDBC, a file, a long
         * computation) before its worker is replaced, so that the actors queued behind it move on
         * (default 5 ms). The turn itself is never interrupted; its worker retires when it ends.
         */
        public Builder stuckTurnThreshold(Duration threshold) {
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("threshold must be positive: " + threshold);
            }
            this.stuckTurnThreshold = threshold;
            return this;
        }

        /**
         * Sets the capacity of inboxes declared without one (default {@value Weft#DEFAULT_INBOX_CAPACITY}),
         * rounded up to a power of two like every inbox capacity.
         */
        public Builder defaultInboxCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be positive: " + capacity);
            }
            this.defaultInboxCapacity = capacity;
            return this;
        }

        /**
         * Sets how long {@link Weft#close()} waits after sending {@link Shutdown} before it interrupts
         * the components still running (default one second).
         */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative: " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** Sets the Micrometer registry for the runtime's meters (default: a new {@code SimpleMeterRegistry}). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Sets a listener told of every component that fails (its body threw), after the failure is
         * logged and counted. It runs on the failed component's thread as it ends (for a
         * {@link Bridge}, on the thread that drained it), so it must be quick; what it throws is
         * logged and ignored. The test kit uses it to fail a test.
         */
        public Builder onFailure(Consumer<? super Terminated> listener) {
            this.onFailure = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Starts the runtime. */
        public Weft start() {
            return new Weft(this);
        }
    }
}
