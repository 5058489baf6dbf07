package dev.weft.actors.supervise;

import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.UnlinkedPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts children from {@link ChildSpec}s and restarts them when they end, after Erlang/OTP.
 *
 * <pre>{@code
 * Supervisor sup = Supervisor.builder()
 *         .strategy(Strategy.ONE_FOR_ONE)
 *         .intensity(5, Duration.ofSeconds(10))                 // more restarts than that: give up
 *         .backoff(Duration.ofMillis(10), Duration.ofSeconds(1))
 *         .child(ChildSpec.of("worker", Worker::new).entry("inbox", Job.class))
 *         .build();
 * weft.spawn(sup);
 * sup.entry("worker", "inbox", Job.class).send(job);          // reaches whichever worker runs now
 * }</pre>
 *
 * <p><b>Restarts.</b> When a child ends, its {@link Restart} type says whether it comes back. If it
 * does, the {@link Strategy} says which children restart with it: the others in that set are shut
 * down (a {@link Shutdown}, then an interrupt after the shutdown grace), in reverse start order, and
 * started again in spec order after the back-off, except {@link Restart#TEMPORARY} ones, which stay
 * down. Children start in spec order. A child that will not come back is <em>gone for good</em>:
 * its entries close, so senders get {@link InboxClosedException} instead of waiting for nobody.
 *
 * <p><b>Intensity.</b> If more than {@code maxRestarts} restarts fall within {@code window}, the
 * supervisor gives up: it stops every child and fails with {@link EscalationException}, so its own
 * parent sees a failed {@link Terminated} and can restart it in turn (supervision trees). A child
 * that cannot be started (its factory throws, its wiring does not fit) escalates the same way.
 *
 * <p><b>Back-off.</b> A restart waits {@code initial * 2^n}, at most {@code max}, where {@code n} is
 * how many times that child was restarted within the intensity window; so a child that keeps
 * crashing is restarted ever more slowly, and one that recovers starts fast again once its old
 * failures age out. The default is no back-off. While waiting, the supervisor keeps serving its
 * control inbox (a {@code Shutdown} is obeyed at once).
 *
 * <p><b>Re-wiring.</b> Each new instance gets its spec's wiring before it is spawned. Senders that
 * must not care about restarts send to the child's {@linkplain ChildSpec#entry entry}, a stable
 * inbox the supervisor owns through a small relay that forwards to the instance of the moment and,
 * while none runs, leaves messages in its bounded inbox so that senders are pushed back rather than
 * failing. A message the relay took is handed to one instance only and is never lost to a restart;
 * messages already queued in an instance that ends are lost with it, as in Erlang. Senders that
 * look a child up by {@linkplain ChildSpec#register service key} find the new instance once it is
 * registered again (watch the key to hear when).
 *
 * <p><b>Stopping.</b> On {@code Shutdown} the supervisor stops its children in reverse start order,
 * each with a {@code Shutdown} and then, after the grace, an interrupt, then its entries, and ends.
 * If it is interrupted ({@link #stop()}), before or while it does so, it interrupts every child
 * still running at once and waits for them at most one grace: no child outlives it.
 * {@link dev.weft.runtime.Weft#close()} sends {@code Shutdown} to the supervisor only, and a
 * supervisor restarts nothing while the runtime closes.
 *
 * <p>{@link SupervisionEvent}s tell what happens on the {@link #events} outbox (discarded while
 * unlinked), including the end of every instance the supervisor stops itself.
 */
public final class Supervisor extends Component {
    /*
     * One thread, the supervisor's body, owns all the state below. Everything it reacts to arrives
     * on its control inbox: Shutdown, and the Terminated of its instances and relays. While it waits
     * for one child to end (awaitEnd), other signals are kept in `deferred` and handled afterwards,
     * in arrival order, so no news is lost or reordered.
     *
     * An instance's Terminated is consumed exactly once: by exited() (the instance ended by itself)
     * or by awaitEnd() (the supervisor stopped it). `byInstance` holds the instances whose
     * Terminated is still to come, `liveRelays` the relays whose Terminated is still to come; so
     * stopping never waits for an end it has already seen.
     *
     * Stopping is graceful (Shutdown, grace, interrupt, in reverse start order) unless the body was
     * interrupted: then, or as soon as an interrupt cuts the graceful stop short, everything left
     * is interrupted at once and awaited for at most one grace (stopNow). This runs in a finally,
     * so an interrupt can shorten the stop but never skip it.
     */

    /** Starts, exits, scheduled restarts and giving up, in order. */
    public final Outbox<SupervisionEvent> events = outbox("events", SupervisionEvent.class, UnlinkedPolicy.DISCARD);

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
    private static final long NOT_SCHEDULED = Long.MIN_VALUE;
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    private final Strategy strategy;
    private final int maxRestarts;
    private final long windowNanos;
    private final long backoffInitialNanos;
    private final long backoffMaxNanos;
    private final long shutdownGraceNanos;
    private final List<Child> children = new ArrayList<>();
    private final Map<String, Relay<?>> entries = new LinkedHashMap<>();
    private final Map<Component, Child> byInstance = new IdentityHashMap<>();
    private final Map<Component, Child> liveRelays = new IdentityHashMap<>();
    private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    private final ArrayDeque<Signal> deferred = new ArrayDeque<>();

    /** One child's spec and the state of its current instance. */
    private static final class Child {
        final ChildSpec<?> spec;
        final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
        /** Written by the supervisor's thread, read by any thread through instance(). */
        volatile Component instance;
        long dueAt = NOT_SCHEDULED;
        int restarts;
        /** Will never run again: its entries are closed. */
        boolean gone;

        Child(ChildSpec<?> spec) {
            this.spec = spec;
        }

        String name() {
            return spec.name();
        }
    }

    private Supervisor(Builder b) {
        super(b.name != null ? b.name : "supervisor#" + IDS.incrementAndGet());
        this.strategy = b.strategy;
        this.maxRestarts = b.maxRestarts;
        this.windowNanos = b.window.toNanos();
        this.backoffInitialNanos = b.backoffInitial.toNanos();
        this.backoffMaxNanos = b.backoffMax.toNanos();
        this.shutdownGraceNanos = b.shutdownGrace.toNanos();
        for (ChildSpec<?> spec : b.specs) {
            children.add(new Child(spec));
            for (ChildSpec.Entry e : spec.entries()) {
                String key = entryKey(spec.name(), e.box());
                if (entries.put(key, new Relay<>(name() + "/" + key, e.type())) != null) {
                    throw new IllegalArgumentException("child '" + spec.name() + "' has two entries for '" + e.box() + "'");
                }
            }
        }
        for (ChildSpec<?> spec : b.specs) {
            for (ChildSpec.EntryLink l : spec.entryLinks()) {
                if (!entries.containsKey(entryKey(l.child(), l.box()))) {
                    throw new IllegalArgumentException("child '" + spec.name() + "' links to an entry '" + l.box()
                            + "' of '" + l.child() + "', which has no such entry");
                }
            }
        }
    }

    /** Returns a builder for a supervisor. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the stable entry of the child {@code child}'s inbox {@code box}, declared with
     * {@link ChildSpec#entry}: sends to it reach whichever instance of the child runs now. Once the
     * child is gone for good (or the supervisor has ended) the entry is closed, and sends to it fail
     * with {@link InboxClosedException}.
     *
     * @throws IllegalArgumentException if there is no such entry or it does not take {@code type}
     */
    @SuppressWarnings("unchecked")
    public <T> Sink<T> entry(String child, String box, Class<T> type) {
        Relay<?> relay = entries.get(entryKey(child, box));
        if (relay == null) {
            throw new IllegalArgumentException(name() + " has no entry for '" + box + "' of '" + child
                    + "'; declare one with ChildSpec.entry");
        }
        if (!relay.inbox.type().isAssignableFrom(type)) {
            throw new IllegalArgumentException("the entry for '" + box + "' of '" + child + "' takes "
                    + relay.inbox.type().getName() + ", not " + type.getName());
        }
        return (Sink<T>) relay.inbox;
    }

    /** The relay behind the entry of {@code child}'s inbox {@code box}, or null: what the entry's sink leads to. */
    Component entryRelay(String child, String box) {
        return entries.get(entryKey(child, box));
    }

    /** Returns the instance of {@code child} running now, or {@code null} while it is not running. */
    public Component instance(String child) {
        for (Child c : children) {
            if (c.name().equals(child)) {
                return c.instance;
            }
        }
        throw new IllegalArgumentException(name() + " has no child '" + child + "'");
    }

    private static String entryKey(String child, String box) {
        return child + "." + box;
    }

    // ---------------------------------------------------------------- the body

    @Override
    protected boolean shutsDownItsChildren() {
        return true;
    }

    @Override
    protected void run() throws InterruptedException {
        boolean interrupted = false;
        try {
            supervise();
        } catch (InterruptedException e) {
            interrupted = true;
            throw e;
        } finally {
            stopAll(interrupted);
        }
    }

    private void supervise() throws InterruptedException {
        for (Child c : children) {
            for (ChildSpec.Entry e : c.spec.entries()) {
                Relay<?> relay = entries.get(entryKey(c.name(), e.box()));
                try {
                    spawn(relay);
                } catch (IllegalStateException refused) {
                    if (runtime().isClosing()) {
                        return;   // spawned while the runtime closes: there is nothing to supervise
                    }
                    throw refused;
                }
                liveRelays.put(relay, c);
            }
        }
        for (Child c : children) {
            start(c);
        }
        for (;;) {
            Signal s = nextSignal();
            if (s instanceof Shutdown) {
                return;
            }
            if (s instanceof Terminated t) {
                exited(t);
            }
            startDue();
        }
    }

    /** The next signal to handle, or null when a scheduled restart is due first. */
    private Signal nextSignal() throws InterruptedException {
        if (!deferred.isEmpty()) {
            return deferred.poll();
        }
        long due = Long.MAX_VALUE;
        for (Child c : children) {
            if (c.dueAt != NOT_SCHEDULED) {
                due = Math.min(due, c.dueAt);
            }
        }
        if (due == Long.MAX_VALUE) {
            return control.receive();
        }
        long left = due - System.nanoTime();
        return left <= 0 ? control.poll() : control.receive(Duration.ofNanos(left));
    }

    private void exited(Terminated t) throws InterruptedException {
        report(t);
        Child owner = liveRelays.remove(t.component());
        if (owner != null) {
            relayEnded(owner, t);
            return;
        }
        Child c = byInstance.remove(t.component());
        if (c == null) {
            return;   // an instance already replaced
        }
        c.instance = null;
        unlinkEntries(c);
        emit(new SupervisionEvent.Exited(c.name(), t));
        if (runtime().isClosing()) {
            return;   // the runtime refuses spawns now, and our own Shutdown is on its way
        }
        if (!comesBack(c, t)) {
            goneForGood(c);
            return;
        }
        long now = System.nanoTime();
        prune(restartTimes, now);
        prune(c.restartTimes, now);
        if (restartTimes.size() >= maxRestarts) {
            emit(new SupervisionEvent.GivingUp(c.name(), restartTimes.size() + 1, Duration.ofNanos(windowNanos)));
            throw new EscalationException(name() + ": child '" + c.name() + "' ended (" + t.state()
                    + ") and needs restart " + (restartTimes.size() + 1) + " within " + Duration.ofNanos(windowNanos)
                    + ", more than the " + maxRestarts + " allowed", t.cause());
        }
        restartTimes.add(now);
        long delay = backoff(c.restartTimes.size());
        c.restartTimes.add(now);
        List<Child> group = new ArrayList<>();
        for (Child other : children) {
            if (other == c || inGroup(c, other)) {
                group.add(other);
            }
        }
        for (int i = group.size() - 1; i >= 0; i--) {
            if (group.get(i) != c) {
                stopInstance(group.get(i));
            }
        }
        for (Child g : group) {
            if (g != c && g.spec.restartType() == Restart.TEMPORARY) {
                goneForGood(g);   // stopped with its group, but TEMPORARY never comes back (Erlang agrees)
                continue;
            }
            g.dueAt = now + delay;
            emit(new SupervisionEvent.RestartScheduled(g.name(), Duration.ofNanos(delay)));
        }
    }

    /** A supervisor owns its children's failure reports: logged once here, at the child's own level. */
    @Override
    protected boolean reportsChildFailures() {
        return true;
    }

    private void report(Terminated t) {
        System.Logger.Level level = t.component().failureLogLevel();
        if (t.state() == ComponentState.FAILED && level != System.Logger.Level.OFF) {
            LOG.log(level, name() + ": child " + t.component().name() + " failed", t.cause());
        }
    }

    private static boolean comesBack(Child c, Terminated t) {
        return switch (c.spec.restartType()) {
            case PERMANENT -> true;
            case TRANSIENT -> t.state() != ComponentState.FINISHED;
            case TEMPORARY -> false;
        };
    }

    /** Whether {@code other}, running now, restarts with {@code c} under the strategy. */
    private boolean inGroup(Child c, Child other) {
        return other.instance != null && switch (strategy) {
            case ONE_FOR_ONE -> false;
            case ONE_FOR_ALL -> true;
            case REST_FOR_ONE -> children.indexOf(other) > children.indexOf(c);
        };
    }

    /** A relay ended: expected if its child is gone for good or the runtime closes; otherwise the entry is broken. */
    private void relayEnded(Child owner, Terminated t) {
        if (!owner.gone && !runtime().isClosing()) {
            throw new EscalationException(name() + ": the entry " + t.component().name() + " of child '" + owner.name()
                    + "' ended (" + t.state() + ") while the child may still run", t.cause());
        }
    }

    /** Closes the entries of a child that will not run again, so that senders are refused, not parked. */
    private void goneForGood(Child c) {
        c.gone = true;
        for (ChildSpec.Entry e : c.spec.entries()) {
            entries.get(entryKey(c.name(), e.box())).shutdown();
        }
    }

    private long backoff(int recentRestarts) {
        if (backoffInitialNanos == 0) {
            return 0;
        }
        int shift = Math.min(recentRestarts, 62);
        long delay = backoffInitialNanos << shift;
        return delay <= 0 || delay > backoffMaxNanos || (delay >> shift) != backoffInitialNanos ? backoffMaxNanos : delay;
    }

    private void prune(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() > windowNanos) {
            times.pollFirst();
        }
    }

    private void startDue() {
        boolean closing = runtime().isClosing();
        long now = System.nanoTime();
        for (Child c : children) {
            if (c.dueAt != NOT_SCHEDULED && (closing || now - c.dueAt >= 0)) {
                c.dueAt = NOT_SCHEDULED;
                if (!closing) {
                    c.restarts++;
                    start(c);
                }
            }
        }
    }

    // ---------------------------------------------------------------- starting and wiring

    /** Starts a new instance of {@code c}, unless the runtime is closing. */
    private void start(Child c) {
        if (runtime().isClosing()) {
            return;
        }
        Component instance = null;
        try {
            instance = c.spec.newInstance();
            wire(c.spec, instance);
            spawn(instance);
        } catch (RuntimeException e) {
            if (!runtime().isClosing()) {
                throw new EscalationException(name() + ": cannot start child '" + c.name() + "': " + e.getMessage(), e);
            }
            if (instance != null) {
                unwire(c, instance);   // the runtime refused the spawn because it closes
            }
            return;
        }
        c.instance = instance;
        byInstance.put(instance, c);
        for (ChildSpec.Entry e : c.spec.entries()) {
            try {
                entries.get(entryKey(c.name(), e.box())).control.trySend(new Relay.Relinked());
            } catch (InboxClosedException ended) {
                // Only a relay that is being shut down has ended; it needs no news.
            }
        }
        emitQuietly(new SupervisionEvent.Started(c.name(), instance, c.restarts));
    }

    private void wire(ChildSpec<?> spec, Component instance) {
        for (ChildSpec.OutLink l : spec.links()) {
            linkChecked(requireOutbox(instance, l.outbox()), l.target());
        }
        for (ChildSpec.EntryLink l : spec.entryLinks()) {
            linkChecked(requireOutbox(instance, l.outbox()), entries.get(entryKey(l.child(), l.box())).inbox);
        }
        for (ChildSpec.Entry e : spec.entries()) {
            Relay<?> relay = entries.get(entryKey(spec.name(), e.box()));
            linkChecked(relay.outbox, requireInbox(instance, e.box()));
        }
        for (ChildSpec.Registration r : spec.registrations()) {
            register(r.key(), requireInbox(instance, r.box()));
        }
        spec.runOnStart(instance);
    }

    /** Undoes the wiring that points at an instance the runtime refused to spawn (it is closing). */
    private void unwire(Child c, Component instance) {
        unlinkEntries(c);
        for (ChildSpec.Registration r : c.spec.registrations()) {
            if (services().lookup(r.key()) == instance.findInbox(r.box())) {
                services().unregister(r.key());
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void linkChecked(Outbox<?> from, Inbox<?> to) {
        if (!to.type().isAssignableFrom(from.type())) {
            throw new IllegalArgumentException(from + " sends " + from.type().getName() + " but " + to + " takes "
                    + to.type().getName());
        }
        ((Outbox) from).linkTo(to);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void register(ServiceKey<?> key, Inbox<?> inbox) {
        services().register((ServiceKey) key, inbox);
    }

    private static Outbox<?> requireOutbox(Component c, String box) {
        Outbox<?> out = c.findOutbox(box);
        if (out == null) {
            throw new IllegalArgumentException(c.name() + " has no outbox '" + box + "'");
        }
        return out;
    }

    private static Inbox<?> requireInbox(Component c, String box) {
        Inbox<?> in = c.findInbox(box);
        if (in == null) {
            throw new IllegalArgumentException(c.name() + " has no inbox '" + box + "'");
        }
        return in;
    }

    private void unlinkEntries(Child c) {
        for (ChildSpec.Entry e : c.spec.entries()) {
            entries.get(entryKey(c.name(), e.box())).outbox.unlink();
        }
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops what is left, the instances in reverse start order, then the relays; gracefully unless
     * {@code interrupted}, and by force ({@link #stopNow}) for whatever an interrupt leaves behind.
     */
    private void stopAll(boolean interrupted) throws InterruptedException {
        for (Child c : children) {
            c.dueAt = NOT_SCHEDULED;
        }
        boolean stopped = false;
        try {
            if (!interrupted) {
                for (int i = children.size() - 1; i >= 0; i--) {
                    Child c = children.get(i);
                    if (c.instance != null) {
                        stopInstance(c);
                    }
                }
                for (Component relay : List.copyOf(liveRelays.keySet())) {
                    stopChild(relay);
                    liveRelays.remove(relay);
                }
                stopped = true;
            }
        } finally {
            if (!stopped) {
                stopNow();
            }
        }
    }

    /** Stops {@code c}'s running instance gracefully and reports its end; its entries hold on meanwhile. */
    private void stopInstance(Child c) throws InterruptedException {
        unlinkEntries(c);
        Component instance = c.instance;
        Terminated how = stopChild(instance);
        byInstance.remove(instance);
        c.instance = null;
        emit(new SupervisionEvent.Exited(c.name(), how));
    }

    /**
     * Interrupts every instance and relay still running, then waits for them at most one grace
     * (less if interrupted again). What ignores the interrupt too is logged and left behind.
     */
    private void stopNow() {
        List<Component> left = new ArrayList<>();
        for (int i = children.size() - 1; i >= 0; i--) {
            if (children.get(i).instance != null) {
                left.add(children.get(i).instance);
            }
        }
        left.addAll(liveRelays.keySet());
        left.forEach(Component::stop);
        Thread.interrupted();   // the interrupt that brought us here is being obeyed
        long deadline = System.nanoTime() + shutdownGraceNanos;
        try {
            for (Iterator<Component> it = left.iterator(); it.hasNext(); ) {
                Component child = it.next();
                Terminated how = awaitEnd(child, deadline);
                if (how == null) {
                    break;
                }
                it.remove();
                liveRelays.remove(child);
                Child c = byInstance.remove(child);
                if (c != null) {
                    c.instance = null;
                    emitNow(new SupervisionEvent.Exited(c.name(), how));
                }
            }
        } catch (InterruptedException again) {
            Thread.currentThread().interrupt();
        }
        left.removeIf(child -> child.state().isTerminal());
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0} ends with {1} child(ren) still running after an interrupt: {2}",
                    name(), left.size(), left);
        }
    }

    /** Shuts {@code child} down, interrupting it after the grace, and waits for its end. */
    private Terminated stopChild(Component child) throws InterruptedException {
        child.shutdown();
        Terminated how = awaitEnd(child, System.nanoTime() + shutdownGraceNanos);
        if (how == null) {
            child.stop();
            how = awaitEnd(child, Long.MAX_VALUE);
        }
        return how;
    }

    /**
     * Waits for {@code child}'s Terminated on the control inbox, keeping other signals for later;
     * returns null if the deadline passes first.
     */
    private Terminated awaitEnd(Component child, long deadline) throws InterruptedException {
        for (Iterator<Signal> it = deferred.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Terminated t && t.component() == child) {
                it.remove();
                return t;
            }
        }
        for (;;) {
            Signal s;
            if (deadline == Long.MAX_VALUE) {
                s = control.receive();
            } else {
                long left = deadline - System.nanoTime();
                s = left <= 0 ? control.poll() : control.receive(Duration.ofNanos(left));
                if (s == null) {
                    return null;
                }
            }
            if (s instanceof Terminated t && t.component() == child) {
                return t;
            }
            deferred.add(s);
        }
    }

    private void emit(SupervisionEvent event) throws InterruptedException {
        try {
            events.send(event);
        } catch (InboxClosedException ended) {
            // Whoever listened has ended.
        }
    }

    private void emitQuietly(SupervisionEvent event) {
        try {
            emit(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Emits without waiting for room: while stopping by force, an event that does not fit is dropped. */
    private void emitNow(SupervisionEvent event) {
        try {
            events.trySend(event);
        } catch (InboxClosedException ended) {
            // Whoever listened has ended.
        }
    }

    /** Collects a supervisor's strategy, limits and children. */
    public static final class Builder {
        private final List<ChildSpec<?>> specs = new ArrayList<>();
        private String name;
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = 3;
        private Duration window = Duration.ofSeconds(5);
        private Duration backoffInitial = Duration.ZERO;
        private Duration backoffMax = Duration.ZERO;
        private Duration shutdownGrace = Duration.ofSeconds(1);

        private Builder() {
        }

        /** Names the supervisor (for logs and events). */
        public Builder name(String supervisorName) {
            this.name = Objects.requireNonNull(supervisorName, "name");
            return this;
        }

        /** Sets the restart strategy (default {@link Strategy#ONE_FOR_ONE}). */
        public Builder strategy(Strategy s) {
            this.strategy = Objects.requireNonNull(s, "strategy");
            return this;
        }

        /** Allows at most {@code maxRestarts} restarts within {@code window} (default 3 in 5 seconds). */
        public Builder intensity(int restarts, Duration within) {
            if (restarts < 0 || within.isNegative() || within.isZero()) {
                throw new IllegalArgumentException("need restarts >= 0 and a positive window: " + restarts + ", " + within);
            }
            this.maxRestarts = restarts;
            this.window = within;
            return this;
        }

        /** Waits {@code initial}, doubling per recent restart of the same child up to {@code max}, before a restart. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("need 0 <= initial <= max: " + initial + ", " + max);
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** Sets how long a child has to end after {@link Shutdown} before it is interrupted (default 1 second). */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative: " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** Adds a child; children start in the order added. */
        public Builder child(ChildSpec<?> spec) {
            for (ChildSpec<?> s : specs) {
                if (s.name().equals(spec.name())) {
                    throw new IllegalArgumentException("two children are named '" + spec.name() + "'");
                }
            }
            specs.add(spec);
            return this;
        }

        /** Builds the supervisor. */
        public Supervisor build() {
            return new Supervisor(this);
        }
    }
}
