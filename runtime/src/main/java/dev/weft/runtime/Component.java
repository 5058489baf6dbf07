package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An actor with typed inboxes and outboxes whose body runs as plain blocking code on its own virtual
 * thread.
 *
 * <p>Subclasses declare their boxes as fields and implement {@link #run()}:
 *
 * <pre>{@code
 * final class Doubler extends Component {
 *     final Inbox<Integer> inbox = inbox(Integer.class);
 *     final Outbox<Integer> outbox = outbox(Integer.class);
 *
 *     protected void run() throws InterruptedException {
 *         for (;;) {
 *             Inbox<?> ready = select(inbox, control);
 *             for (Integer n; (n = inbox.poll()) != null; ) {
 *                 outbox.send(n * 2);
 *             }
 *             if (ready == control) {
 *                 return;                       // Shutdown or ProducerFinished, after the data
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Every component also has a {@link #control} inbox for {@link Signal}s (unbounded: lifecycle
 * news is never refused while the component runs) and a {@link #signal} outbox. When the body
 * returns or throws, a {@link Terminated} goes to its spawner's control inbox, the component's
 * inboxes close ({@code control} included: later sends to them throw {@link InboxClosedException}),
 * and then the Terminated goes to every watcher and to {@link #termination()}. An exception ends
 * only this component.
 *
 * <p>End of input is automatic: a component that finishes normally (its body returns) sends
 * {@link ProducerFinished} on {@link #signal} before it ends, if something is linked there and
 * it has not sent {@code ProducerFinished} or {@link Shutdown} there itself. Link
 * {@code signal} to the next component's {@code control} (or use
 * {@link Weft#pipe(Outbox, Sink)}, which does both links) and that component learns when to end.
 */
public abstract class Component {
    /*
     * How the component receives (its thread, or turns, or an integrator's drain; how a sender wakes
     * it; who may take its messages) is its Receiver's: see Parking, Turns and EdgeTriggered, and
     * their comments for the wake-up protocols. The Inbox's only call into it on a send is wake().
     *
     * Ending. terminate() tells the spawner first, then closes the inboxes, then tells the runtime,
     * the watchers and joiners. A failure that closing causes elsewhere (a sender upstream whose
     * send is now refused) therefore reaches the spawner's control inbox after this end does.
     * control is made lazily: if it is first made after terminate() looked, control sees the
     * terminal state (set before) and closes it itself, so an ended component never has an open
     * control inbox.
     */
    /** Messages taken before the received counter is told (it always is when an inbox runs dry). */
    private static final int RECEIVED_BATCH = 64;
    private static final AtomicLong IDS = new AtomicLong();
    private static final Watcher[] NO_WATCHERS = new Watcher[0];
    private static final System.Logger.Level[] LEVELS = System.Logger.Level.values();
    private static final Inbox<?>[] NO_INBOXES = new Inbox<?>[0];
    private static final Outbox<?>[] NO_OUTBOXES = new Outbox<?>[0];
    private static final VarHandle WATCHERS;
    private static final VarHandle WEFT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WATCHERS = lookup.findVarHandle(Component.class, "watchers", Object.class);
            WEFT = lookup.findVarHandle(Component.class, "weft", Weft.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id = IDS.incrementAndGet();
    private String name;
    private final Receiver receiver;
    private volatile ComponentState state = ComponentState.CREATED;
    private volatile boolean stopRequested;
    /** Null, a Watcher[], or the final Terminated. */
    private volatile Object watchers;
    /** Set once, by CAS, when a spawn claims this component (reset only if that spawn is undone). */
    private Weft weft;
    private Component parent;
    private Inbox<?>[] inboxes = NO_INBOXES;
    private Outbox<?>[] outboxes = NO_OUTBOXES;
    /** Messages taken and not yet added to weft.messages.received. Receiving thread only. */
    private int unreportedReceived;
    /** The ordinal of the level a failure is logged at: a byte, not a reference, for idle memory. */
    private volatile byte failureLogLevel = (byte) System.Logger.Level.WARNING.ordinal();
    /** Whether ProducerFinished or Shutdown has gone out on signal, so that the end sends none again. */
    private volatile boolean endOfInputSent;

    /** Creates a component named after its class and a unique number. */
    protected Component() {
        this(null, Parking::new);
    }

    /** Creates a component with the given name (for logs, metrics and introspection). */
    protected Component(String name) {
        this(Objects.requireNonNull(name, "name"), Parking::new);
    }

    /**
     * Creates a component that receives another way than on its own thread (an {@link Actor}, a
     * {@link Bridge}); {@code name} may be null for the default.
     */
    Component(String name, Function<? super Component, ? extends Receiver> receiver) {
        this.name = name;
        this.receiver = receiver.apply(this);
    }

    /**
     * The component's body. It runs once, on the component's own virtual thread; when it returns the
     * component has finished, when it throws the component has failed.
     */
    protected abstract void run() throws Exception;

    // ---------------------------------------------------------------- identity and state

    /**
     * Returns whether this component shuts its own children down when it gets {@link Shutdown}.
     * {@link Weft#close()} then sends {@code Shutdown} to this component and not to its children,
     * so that a tree (a supervisor, a pipeline) stops from the top in the order its parent chooses,
     * instead of seeing its children end under it. False unless a subclass says otherwise.
     */
    protected boolean shutsDownItsChildren() {
        return false;
    }

    /**
     * Returns whether this component reports its children's failures itself (a supervisor does), so
     * that the runtime does not log them a second time. False unless a subclass says otherwise.
     */
    protected boolean reportsChildFailures() {
        return false;
    }

    /**
     * Sets the level at which a failure of this component is logged: {@code WARNING} (with the stack
     * trace) unless set, {@code DEBUG} for a failure that is part of normal operation (a peer that
     * went away), {@code OFF} for none. The failure is still counted, passed to the runtime's
     * {@code onFailure} listener and reported in its {@link Terminated}. May be called at any time,
     * from any thread, up to the failure.
     *
     * @return this component
     */
    public final Component failureLogLevel(System.Logger.Level level) {
        failureLogLevel = (byte) Objects.requireNonNull(level, "level").ordinal();
        return this;
    }

    /** Returns the level at which a failure of this component is logged; see {@link #failureLogLevel(System.Logger.Level)}. */
    public final System.Logger.Level failureLogLevel() {
        return LEVELS[failureLogLevel];
    }

    /** Returns this component's name. */
    public final String name() {
        String n = name;
        if (n == null) {
            n = getClass().getSimpleName() + "#" + id;
            name = n;
        }
        return n;
    }

    /** Returns where this component is in its life. */
    public final ComponentState state() {
        return state;
    }

    /** Returns the component that spawned this one, or {@code null} if the runtime spawned it directly. */
    public final Component parent() {
        return parent;
    }

    /** Returns the runtime this component was spawned in, or {@code null} before it is spawned. */
    public final Weft runtime() {
        return weft;
    }

    /** {@link #runtime()} read with volatile semantics, for the link locks' hand-over at spawn (see Links). */
    final Weft runtimeNow() {
        return (Weft) WEFT.getVolatile(this);
    }

    // ---------------------------------------------------------------- boxes

    /**
     * This component's control inbox, where {@link Signal}s arrive: {@link Shutdown}, an upstream's
     * {@link ProducerFinished}, a watched component's {@link Terminated}. It is unbounded, so lifecycle
     * news never blocks its sender, and closed once the component has ended, like its other inboxes.
     */
    public final Inbox<Signal> control = new Inbox<>(this, "control", Signal.class, Inbox.UNBOUNDED);

    /**
     * This component's signal outbox, for telling downstream components it has finished. When the
     * body returns normally the runtime sends {@link ProducerFinished} here unless the body already
     * sent {@code ProducerFinished} or {@code Shutdown} itself.
     */
    public final Outbox<Signal> signal = new Outbox<>(this, "signal", Signal.class, UnlinkedPolicy.DISCARD);

    /** Declares a bounded inbox named {@code "inbox"} with the runtime's default capacity. */
    protected final <T> Inbox<T> inbox(Class<T> type) {
        return inbox("inbox", type);
    }

    /** Declares a bounded inbox with the runtime's default capacity. */
    protected final <T> Inbox<T> inbox(String name, Class<T> type) {
        return addInbox(new Inbox<>(this, name, type, 0));
    }

    /**
     * Declares a bounded inbox named {@code "inbox"} for a generic message type:
     * {@code Inbox<List<String>> batches = inbox(new TypeRef<>() {})}.
     */
    protected final <T> Inbox<T> inbox(TypeRef<T> type) {
        return inbox("inbox", type.rawType());
    }

    /** Declares a bounded inbox for a generic message type; see {@link TypeRef}. */
    protected final <T> Inbox<T> inbox(String name, TypeRef<T> type) {
        return inbox(name, type.rawType());
    }

    /**
     * Declares a bounded inbox for about {@code capacity} messages. The capacity is rounded up to a
     * power of two, and is at least 2: {@code 1} and {@code 2} hold 2, {@code 3} holds 4, {@code 100}
     * holds 128. {@link Inbox#capacity()} returns the number it really holds.
     */
    protected final <T> Inbox<T> inbox(String name, Class<T> type, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        return addInbox(new Inbox<>(this, name, type, capacity));
    }

    /** Declares an unbounded inbox: senders never wait, and memory is the only limit. */
    protected final <T> Inbox<T> unboundedInbox(String name, Class<T> type) {
        return addInbox(new Inbox<>(this, name, type, Inbox.UNBOUNDED));
    }

    /** Declares an outbox named {@code "outbox"} that throws when sent to while unlinked. */
    protected final <T> Outbox<T> outbox(Class<T> type) {
        return outbox("outbox", type);
    }

    /** Declares an outbox that throws when sent to while unlinked. */
    protected final <T> Outbox<T> outbox(String name, Class<T> type) {
        return outbox(name, type, UnlinkedPolicy.FAIL);
    }

    /** Declares an outbox named {@code "outbox"} for a generic message type; see {@link TypeRef}. */
    protected final <T> Outbox<T> outbox(TypeRef<T> type) {
        return outbox("outbox", type.rawType());
    }

    /** Declares an outbox for a generic message type that throws when sent to while unlinked; see {@link TypeRef}. */
    protected final <T> Outbox<T> outbox(String name, TypeRef<T> type) {
        return outbox(name, type.rawType());
    }

    /** Declares an outbox with the given behaviour while unlinked. */
    protected final <T> Outbox<T> outbox(String name, Class<T> type, UnlinkedPolicy whenUnlinked) {
        checkNewBoxName(name);
        Outbox<T> box = new Outbox<>(this, name, type, whenUnlinked);
        outboxes = append(outboxes, box);
        return box;
    }

    /** Finds an inbox of this component by name ({@code "control"} included), or returns {@code null}. */
    public final Inbox<?> findInbox(String boxName) {
        if ("control".equals(boxName)) {
            return control;
        }
        for (Inbox<?> box : inboxes) {
            if (box.name().equals(boxName)) {
                return box;
            }
        }
        return null;
    }

    /** Finds an outbox of this component by name ({@code "signal"} included), or returns {@code null}. */
    public final Outbox<?> findOutbox(String boxName) {
        if ("signal".equals(boxName)) {
            return signal;
        }
        for (Outbox<?> box : outboxes) {
            if (box.name().equals(boxName)) {
                return box;
            }
        }
        return null;
    }

    /** Returns the declared inboxes, {@code control} first. */
    public final java.util.List<Inbox<?>> inboxes() {
        Inbox<?>[] all = new Inbox<?>[inboxes.length + 1];
        all[0] = control;
        System.arraycopy(inboxes, 0, all, 1, inboxes.length);
        return java.util.List.of(all);
    }

    /** Returns the declared outboxes, {@code signal} first. */
    public final java.util.List<Outbox<?>> outboxes() {
        Outbox<?>[] all = new Outbox<?>[outboxes.length + 1];
        all[0] = signal;
        System.arraycopy(outboxes, 0, all, 1, outboxes.length);
        return java.util.List.of(all);
    }

    private <T> Inbox<T> addInbox(Inbox<T> box) {
        checkNewBoxName(box.name());
        inboxes = append(inboxes, box);
        return box;
    }

    private void checkNewBoxName(String boxName) {
        Objects.requireNonNull(boxName, "box name");
        if (state != ComponentState.CREATED) {
            throw new IllegalStateException("boxes must be declared before " + name() + " is spawned");
        }
        if ("control".equals(boxName) || "signal".equals(boxName)) {
            throw new IllegalArgumentException("'" + boxName + "' is every component's built-in box");
        }
        for (Inbox<?> box : inboxes) {
            if (box.name().equals(boxName)) {
                throw new IllegalArgumentException(name() + " already has a box named '" + boxName + "'");
            }
        }
        for (Outbox<?> box : outboxes) {
            if (box.name().equals(boxName)) {
                throw new IllegalArgumentException(name() + " already has a box named '" + boxName + "'");
            }
        }
    }

    private static <B> B[] append(B[] boxes, B box) {
        B[] grown = Arrays.copyOf(boxes, boxes.length + 1);
        grown[boxes.length] = box;
        return grown;
    }

    // ---------------------------------------------------------------- wiring and children

    /** Links {@code from} to {@code to}; see {@link Outbox#linkTo(Sink)}. */
    protected final <T> void link(Outbox<T> from, Inbox<? super T> to) {
        from.linkTo(to);
    }

    /**
     * Spawns {@code child} as a child of this component: its {@link Terminated} arrives on this
     * component's control inbox.
     */
    protected final <C extends Component> C spawn(C child) {
        Weft w = weft;
        if (w == null) {
            throw new IllegalStateException(name() + " is not spawned yet");
        }
        return w.spawn(child, this);
    }

    /** Returns the runtime's service registry. */
    protected final ServiceRegistry services() {
        Weft w = weft;
        if (w == null) {
            throw new IllegalStateException(name() + " is not spawned yet");
        }
        return w.services();
    }

    /**
     * Asks to be told, on this component's control inbox, when {@code other} ends. Asking again, or
     * watching a component this one spawned, changes nothing: one {@link Terminated} comes.
     */
    protected final void watch(Component other) {
        other.addWatcher(new Watcher.Signalled(this));
    }

    /**
     * Waits until a message is in any of {@code boxes} and returns that inbox, without taking the
     * message. Inboxes are tried in turn from a rotating start, so a busy inbox cannot starve another.
     *
     * @throws InterruptedException if this component is interrupted
     */
    protected final Inbox<?> select(Inbox<?>... boxes) throws InterruptedException {
        Inbox<?> ready = readyAmong(boxes);
        while (ready == null) {
            awaitMessages(null, boxes, Deadline.NONE);
            ready = readyAmong(boxes);
        }
        return ready;
    }

    /**
     * Like {@link #select(Inbox...)}, but waits at most {@code timeout}.
     *
     * @return the inbox that has a message, or {@code null} if none did in time
     */
    protected final Inbox<?> select(Duration timeout, Inbox<?>... boxes) throws InterruptedException {
        Inbox<?> ready = readyAmong(boxes);
        if (ready != null) {
            return ready;
        }
        long deadline = Deadline.after(timeout);
        while (awaitMessages(null, boxes, deadline)) {
            ready = readyAmong(boxes);
            if (ready != null) {
                return ready;
            }
        }
        return null;
    }

    /**
     * Hands each message that arrives in {@code inbox} to {@code handler}, in order, until end of
     * input, then returns: the loop of most components that take one inbox.
     *
     * <p>On {@link ProducerFinished} or {@link Shutdown} in {@link #control} it first handles every
     * message still queued in {@code inbox}, then returns. A {@code Shutdown} is passed on through
     * {@link #signal}; after a {@code ProducerFinished}, the body's return sends
     * {@code ProducerFinished} there (see the class comment). Other signals (a child's
     * {@link Terminated}, an application's own) are taken and ignored. A handler that throws ends
     * the loop with that exception, so the component fails with it as the cause.
     *
     * <pre>{@code
     * protected void run() throws Exception {
     *     forEach(inbox, n -> outbox.send(n * 2));
     * }
     * }</pre>
     *
     * @throws InterruptedException if this component is stopped while it waits
     * @throws Exception whatever the handler throws
     */
    protected final <T> void forEach(Inbox<T> inbox, MessageHandler<? super T> handler) throws Exception {
        for (;;) {
            if (select(inbox, control) == inbox) {
                handler.handle(inbox.poll());
                continue;
            }
            Signal s = control.poll();
            if (s instanceof ProducerFinished || s instanceof Shutdown) {
                for (T m; (m = inbox.poll()) != null; ) {
                    handler.handle(m);
                }
                if (s instanceof Shutdown) {
                    signal.send(s);
                }
                return;
            }
        }
    }

    private Inbox<?> readyAmong(Inbox<?>[] boxes) {
        int n = boxes.length;
        if (n == 0) {
            throw new IllegalArgumentException("select needs at least one inbox");
        }
        int start = receiver.selectCursor;
        for (int i = 0; i < n; i++) {
            int at = (start + i) % n;
            Inbox<?> box = boxes[at];
            checkReceiver(box);
            if (box.hasMessages()) {
                receiver.selectCursor = (char) (at + 1);
                return box;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- lifecycle, from outside

    /** Sends {@link Shutdown} to this component's control inbox (cooperative shutdown). */
    public final void shutdown() {
        deliverSignal(new Shutdown());
    }

    /**
     * Stops this component by force: interrupts its thread. A body parked in a receive, select or
     * send gets an {@link InterruptedException} and the component ends {@link ComponentState#STOPPED}.
     * A stop is never lost: one that comes before (or while) the component is spawned ends it
     * {@code STOPPED} as soon as it starts, without running its body. An {@link Actor}'s running
     * turn is interrupted the same way; an idle actor gets a turn that ends it {@code STOPPED}.
     */
    public void stop() {
        stopRequested = true;
        receiver.stopping();
    }

    /** Returns a future completed with this component's {@link Terminated} when it ends. */
    public final CompletableFuture<Terminated> termination() {
        return ended().copy();
    }

    /**
     * Waits for this component to end and returns how it ended.
     *
     * @throws IllegalStateException if this component is not spawned (wait on {@link #termination()}
     *     for one that somebody else will spawn), or if it is the caller itself
     */
    public final Terminated join() throws InterruptedException {
        checkJoinable();
        try {
            return ended().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits at most {@code timeout} for this component to end.
     *
     * @throws TimeoutException if it is still running; the message names the component, its state
     *     and the inboxes it waits on, and says so when it waits for end of input that nothing is
     *     linked to send (see {@link Weft#diagnose()})
     * @throws IllegalStateException as {@link #join()} does
     */
    public final Terminated join(Duration timeout) throws InterruptedException, TimeoutException {
        checkJoinable();
        try {
            return ended().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new TimeoutException("waited " + timeout + " for " + weft.diagnose(this));
        }
    }

    private void checkJoinable() {
        if (state == ComponentState.CREATED) {
            throw new IllegalStateException(name() + " is not spawned, so join would wait forever; spawn it first, "
                    + "or wait on termination() for a component that somebody else will spawn");
        }
        if (isReceiverThread()) {
            throw waitsForItself("joined itself");
        }
    }

    @Override
    public String toString() {
        return name() + "[" + state + "]";
    }

    // ---------------------------------------------------------------- runtime internals

    final long id() {
        return id;
    }

    final Metrics metrics() {
        Weft w = weft;
        return w == null ? null : w.metrics();
    }

    /**
     * Called by {@link Weft#spawn} before it changes anything: throws if this component cannot be
     * spawned as it is. A kind of component with settings to check overrides it.
     */
    void checkSpawnable() {
    }

    /**
     * Called by {@link Weft} first: claims the component for the runtime (so that a second spawn is
     * refused) while it stays {@link ComponentState#CREATED}. Undone by {@link #unbind()}.
     */
    final void bind(Weft runtime, Component spawner, int defaultCapacity) {
        if (!WEFT.compareAndSet(this, null, runtime)) {
            throw new IllegalStateException(name() + " was already spawned"
                    + (state.isTerminal() ? " and has ended; spawn a new instance" : ""));
        }
        Links.settled(null);
        this.parent = spawner;
        for (Inbox<?> box : inboxes) {
            box.bindDefaultCapacity(defaultCapacity);
        }
    }

    /**
     * Called by {@link Weft} after {@link #bind}: publishes RUNNING (the volatile write that makes
     * the binding visible to whoever reads the state) and starts the body.
     */
    final void start() {
        state = ComponentState.RUNNING;
        receiver.launch();
    }

    /** Undoes {@link #bind} and a failed {@link #start}, for a spawn that could not complete. */
    final void unbind() {
        state = ComponentState.CREATED;
        parent = null;
        Weft was = runtime();
        WEFT.setVolatile(this, null);
        Links.settled(was);
    }

    /** Runs the body on the component's own thread (see {@link Parking}), then ends the component. */
    final void body() {
        if (stopRequested) {
            terminate(ComponentState.STOPPED, null);
            return;
        }
        try {
            run();
        } catch (Throwable t) {
            terminate(t);
            return;
        }
        terminate(ComponentState.FINISHED, null);
    }

    /** Ends this component after its code threw: stopped if it is {@link #stop()}'s interrupt, else failed. */
    final void terminate(Throwable thrown) {
        if (thrown instanceof InterruptedException && stopRequested) {
            terminate(ComponentState.STOPPED, null);
        } else {
            terminate(ComponentState.FAILED, thrown);
        }
    }

    /**
     * Ends this component. The order matters: the spawner is told before the inboxes close, so it
     * hears of this end before any failure that closing them causes (a sender upstream that now
     * gets {@link InboxClosedException}); watchers and joiners are told after, so whoever learns of
     * the end from them finds the inboxes closed.
     */
    final void terminate(ComponentState end, Throwable cause) {
        flushReceived();
        if (end == ComponentState.FINISHED) {
            sendEndOfInput();
        }
        state = end;
        Terminated news = new Terminated(this, end, cause);
        weft.ending(news);
        Component p = parent;
        if (p != null) {
            p.deliverSignal(news);
        }
        for (Inbox<?> box : inboxes) {
            box.close();
        }
        control.close();
        for (Outbox<?> box : outboxes) {
            if (box.forward() != null) {
                Links.release(java.util.List.of(outboxes));
                break;
            }
        }
        weft.ended(news);
        Object ws = WATCHERS.getAndSet(this, news);
        if (ws instanceof Watcher[] list) {
            for (Watcher w : list) {
                if (w.component() != p || p == null) {
                    w.ended(news);
                }
            }
        }
    }

    /** Called by the signal outbox for each message sent through it. */
    final void signalSent(Object message) {
        if (message instanceof ProducerFinished || message instanceof Shutdown) {
            endOfInputSent = true;
        }
    }

    /**
     * Tells whoever listens on signal that this component, which finished normally, sends no more:
     * a ProducerFinished, unless one (or a Shutdown) went out already, or nothing is linked there, or
     * signal only passes through what inner components send (a composite's children tell it).
     */
    private void sendEndOfInput() {
        Outbox<Signal> s = signal;
        if (endOfInputSent || !s.isLinked() || weft.links().read(() -> s.passingIn() != null
                && !s.passingIn().isEmpty())) {
            return;
        }
        try {
            s.send(new ProducerFinished(this));
        } catch (InboxClosedException downstreamEnded) {
            // Nobody is left to tell; the dead-letter metric counted it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // a stop that came after the body returned: keep it
        }
    }

    /**
     * The one internal future that joins wait on; callers get copies, so that nobody outside can
     * complete it and a timed join that gives up leaves nothing behind.
     */
    private CompletableFuture<Terminated> ended() {
        return (EndedFuture) addWatcher(new EndedFuture());
    }

    /** The future that joins wait on: among the watchers, equal to any other, so a component keeps one. */
    private static final class EndedFuture extends CompletableFuture<Terminated> implements Watcher {
        @Override
        public void ended(Terminated news) {
            complete(news);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EndedFuture;
        }

        @Override
        public int hashCode() {
            return EndedFuture.class.hashCode();
        }
    }

    /**
     * Adds a watcher unless an equal one watches already (or it is the spawner, which is told
     * anyway); a watcher added after the end is told at once. Returns the watcher that now watches:
     * {@code watcher}, or the equal one found.
     */
    final Watcher addWatcher(Watcher watcher) {
        for (;;) {
            Object ws = watchers;
            if (ws instanceof Terminated done) {
                if (watcher.component() != parent || parent == null) {
                    watcher.ended(done);
                }
                return watcher;
            }
            Watcher[] list = ws == null ? NO_WATCHERS : (Watcher[]) ws;
            for (Watcher w : list) {
                if (w.equals(watcher)) {
                    return w;
                }
            }
            Watcher[] grown = Arrays.copyOf(list, list.length + 1);
            grown[list.length] = watcher;
            if (WATCHERS.compareAndSet(this, ws, grown)) {
                return watcher;
            }
        }
    }

    /** Forgets a watcher added with {@link #addWatcher}, so a short-lived one (an ask) leaves nothing behind. */
    final void removeWatcher(Watcher watcher) {
        for (;;) {
            Object ws = watchers;
            if (!(ws instanceof Watcher[] list)) {
                return;
            }
            int at = Arrays.asList(list).indexOf(watcher);
            if (at < 0) {
                return;
            }
            Watcher[] shrunk = null;
            if (list.length > 1) {
                shrunk = new Watcher[list.length - 1];
                System.arraycopy(list, 0, shrunk, 0, at);
                System.arraycopy(list, at + 1, shrunk, at, list.length - at - 1);
            }
            if (WATCHERS.compareAndSet(this, ws, shrunk)) {
                return;
            }
        }
    }

    /** Puts a signal on this component's unbounded control inbox; once it has ended, only counted dead. */
    final void deliverSignal(Signal s) {
        try {
            SendPath.offer(control, s);
        } catch (InboxClosedException ended) {
            // An ended component has no use for lifecycle news; the dead-letter metric counted it.
        }
    }

    /**
     * Counts a message the receiving thread took. The shared counter is touched once per
     * {@value #RECEIVED_BATCH} messages, when a poll finds an inbox empty, and at the end, not once
     * per message: two receivers never contend on it in a hand-off.
     */
    final void countReceived() {
        if (++unreportedReceived == RECEIVED_BATCH) {
            flushReceived();
        }
    }

    /** Adds the messages counted so far to weft.messages.received. Receiving thread only. */
    final void flushReceived() {
        int n = unreportedReceived;
        if (n != 0) {
            unreportedReceived = 0;
            Metrics m = metrics();
            if (m != null) {
                m.received.add(n);
            }
        }
    }

    /** Returns whether {@link #stop()} has been called. */
    final boolean stopRequested() {
        return stopRequested;
    }

    /** Throws unless the calling thread may receive from {@code box}. */
    final void checkReceiver(Inbox<?> box) {
        if (box.owner() != this) {
            throw new IllegalArgumentException(box + " does not belong to " + name());
        }
        if (!isReceiverThread()) {
            throw new IllegalStateException("only " + name() + " may receive from " + box
                    + " (called on " + Thread.currentThread() + ")");
        }
        if (box.isForwarding()) {
            throw new IllegalStateException(box + " passes through to an inner inbox; receive there");
        }
    }

    /** The error for a call by this component that only this component could complete. */
    final IllegalStateException waitsForItself(String what) {
        return new IllegalStateException(name() + " " + what + ": it would wait for itself forever");
    }

    /**
     * Whether this component's bounded inboxes use queues without the padding that keeps the
     * producer and consumer indices on separate cache lines: several hundred bytes less per inbox,
     * for owners that are many and mostly idle (handler-style actors).
     */
    boolean prefersCompactInboxes() {
        return false;
    }

    /** Returns the receiver, for the kinds of component that drive it (Actor, Bridge). */
    final Receiver receiver() {
        return receiver;
    }

    /** Returns whether the calling thread may receive from this component's inboxes now. */
    final boolean isReceiverThread() {
        return receiver.isReceiverThread();
    }

    /**
     * Waits until one of the inboxes has a message or the deadline passes. Called only by the
     * receiving thread.
     *
     * @return false if the deadline passed, true otherwise (which may be a spurious wake-up)
     */
    final boolean awaitMessages(Inbox<?> one, Inbox<?>[] many, long deadline) throws InterruptedException {
        return receiver.awaitMessages(one, many, deadline);
    }

    /** Returns the inboxes this component waits on (none if it is not waiting), for diagnostics. */
    final Inbox<?>[] awaiting() {
        return receiver.awaiting();
    }

    /** Returns whether this component's thread is parked waiting for a message. */
    final boolean isParked() {
        return receiver.isParked();
    }

    /** Wakes this component after a message arrived in one of its inboxes: on every send's hot path. */
    final void wake() {
        receiver.wake();
    }

    /** Sum of the depths of this component's inboxes, for the depth gauge. */
    final long inboxDepth() {
        long depth = 0;
        for (Inbox<?> box : inboxes) {
            depth += box.size();
        }
        return depth;
    }
}
