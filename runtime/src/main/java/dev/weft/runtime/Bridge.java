package dev.weft.runtime;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A receiver for code outside Weft (an event loop, a GUI thread, a thread pool): a component with
 * no thread of its own. Components link outboxes to its {@link #inbox}; the integrator takes
 * messages with the non-blocking {@link #poll()} and {@link #drain(Consumer, int)}, and learns that
 * there is something to take from a wake-up hook of its choosing.
 *
 * <pre>{@code
 * Selector selector = Selector.open();
 * Bridge<String> bridge = weft.spawn(new Bridge<>("loop", String.class, selector::wakeup));
 * weft.link(worker.outbox, bridge.inbox);
 * for (;;) {
 *     selector.select();                        // returns when the hook calls wakeup()
 *     String m;
 *     while ((m = bridge.poll()) != null) {     // drain until poll() returns null
 *         handle(m);
 *     }
 * }
 * }</pre>
 *
 * <h2>The wake-up hook is edge-triggered</h2>
 * <ul>
 *   <li>It fires once when the bridge goes from drained to holding a message: by the sender that
 *       delivered that message, on the sender's thread, right after the message is in the inbox.
 *   <li>After it fires it does not fire again until the integrator has drained the bridge: until a
 *       {@code poll()} returned {@code null}, or a {@code drain} returned fewer than its maximum.
 *       Draining is the integrator's duty; a partial drain must be continued later without a hook.
 *   <li>Nothing is lost at the edge: when {@code poll()} returns {@code null}, either the bridge is
 *       empty and armed (the next message fires the hook), or a message arrived meanwhile and the
 *       hook has already fired for it.
 *   <li>Spurious wake-ups are possible, though rare: the hook may fire for a message the integrator
 *       has already taken by polling without having been woken. A drain that finds nothing is
 *       normal.
 *   <li>Nothing fires while no message arrives; a burst of messages costs one wake-up.
 * </ul>
 * The hook runs on whatever thread sent (a component's virtual thread, or any thread calling
 * {@link Inbox#send}): it must return quickly, must not block and should not throw, e.g.
 * {@code selector::wakeup} or {@code () -> eventLoop.execute(drainTask)}. If it throws, the
 * exception is logged, the send still succeeds, and the next delivery tries the hook again.
 * {@link #onExecutor} packages the common case: drain on an executor with a message handler.
 *
 * <h2>One consumer at a time</h2>
 * {@code poll} and {@code drain} may be called from any thread, but by one at a time: a call that
 * overlaps another thread's call throws {@link IllegalStateException}. Inside a drain's handler the
 * same thread may poll again. Blocking receives ({@link Inbox#receive()}) are not available: the
 * bridge has no thread to park.
 *
 * <h2>Lifecycle</h2>
 * Spawn the bridge like any component. It ends {@link ComponentState#FINISHED} when the integrator
 * calls {@link #close()}, or when a {@link Shutdown} arrived on its control inbox (as on
 * {@link Weft#close()}) and the integrator has drained the messages before it; other signals on its
 * control inbox are ignored. {@link #stop()} ends it {@link ComponentState#STOPPED} at once, or at
 * the running drain's next take. A {@code close()} or {@code stop()} before the bridge is spawned
 * is kept, and ends it as soon as it is spawned. Once it has ended, {@code poll} returns {@code null} and sends to
 * it throw {@link InboxClosedException}.
 *
 * @param <T> the type of message the bridge receives
 */
public final class Bridge<T> extends Component implements AutoCloseable {
    /*
     * Who may drain (the consumer section) and when to call the hook (the edge trigger) are the
     * EdgeTriggered receiver's; its comment has the argument. wake(), run by every sender after a
     * successful offer into the inbox or control inbox, fires the trigger; poll, on finding both
     * empty, leaves the section and re-arms, and if messages slipped in meanwhile and the trigger
     * came back to it, goes round again instead of calling the hook.
     *
     * Ending (terminate closes the inboxes, which drains their queues) happens only inside the
     * consumer section, so it never races a poll on the single-consumer queues. close() and stop()
     * record the end they ask for (endAsked, volatile) and then try to enter; if a drain holds the
     * section, that drain ends the bridge at its next take, or, having just left, sees endAsked
     * when it settles (leave and that read are volatile, as are stop's write and its failed CAS,
     * so one of the two sides sees the other) and goes round once more.
     */
    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());
    private static final int TURN_BATCH = 256;
    private static final VarHandle ENDASKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ENDASKED = lookup.findVarHandle(Bridge.class, "endAsked", ComponentState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The inbox components link their outboxes to; any thread may also send into it. */
    public final Inbox<T> inbox;
    private final Runnable wakeUp;
    /** How an end asked for from outside the section should end the bridge; null until asked. */
    private volatile ComponentState endAsked;
    /** Set when a Shutdown was taken from the control inbox. Consumer only. */
    private boolean shutdownTaken;

    /**
     * Creates a bridge whose inbox has the runtime's default capacity.
     *
     * @param wakeUp run on the sending thread when the bridge goes from drained to holding a message
     */
    public Bridge(String name, Class<T> type, Runnable wakeUp) {
        super(Objects.requireNonNull(name, "name"), Bridge::edgeTriggered);
        this.inbox = inbox(type);
        this.wakeUp = Objects.requireNonNull(wakeUp, "wakeUp");
    }

    /**
     * Creates a bridge whose inbox holds at most {@code capacity} messages (rounded up to a power of
     * two); a full inbox pushes back on senders as any inbox does.
     *
     * @param wakeUp run on the sending thread when the bridge goes from drained to holding a message
     */
    public Bridge(String name, Class<T> type, int capacity, Runnable wakeUp) {
        super(Objects.requireNonNull(name, "name"), Bridge::edgeTriggered);
        this.inbox = inbox("inbox", type, capacity);
        this.wakeUp = Objects.requireNonNull(wakeUp, "wakeUp");
    }

    private Bridge(String name, Class<T> type, Executor executor, Consumer<? super T> handler) {
        super(Objects.requireNonNull(name, "name"), Bridge::edgeTriggered);
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(handler, "handler");
        this.inbox = inbox(type);
        this.wakeUp = () -> executor.execute(() -> turn(executor, handler));
    }

    /**
     * Creates a bridge that drains itself on {@code executor}: each wake-up submits one task that
     * passes up to 256 messages to {@code handler} and resubmits itself while more wait. At most one
     * such task is pending or running at a time, so the handler never runs concurrently with itself
     * and runs only on the executor's threads. If the handler throws, the bridge ends
     * {@link ComponentState#FAILED} with that cause.
     */
    public static <T> Bridge<T> onExecutor(String name, Class<T> type, Executor executor,
            Consumer<? super T> handler) {
        return new Bridge<>(name, type, executor, handler);
    }

    /**
     * Takes the next message without blocking.
     *
     * @return the message, or {@code null} when the bridge is drained (the hook is then armed, or
     *     has already fired for a message that arrived meanwhile) or has ended
     * @throws IllegalStateException if another thread is polling or draining this bridge now
     */
    public T poll() {
        for (;;) {
            boolean outer = enter();
            T m;
            try {
                m = take();
            } finally {
                if (outer) {
                    leave();
                }
            }
            if (m != null || !outer || settled()) {
                return m;
            }
        }
    }

    /**
     * Passes waiting messages to {@code handler} on the calling thread, at most {@code max} of them.
     * The handler may call {@link #poll()} and {@link #close()}; if it throws, the exception
     * propagates, the bridge stays fired, and the integrator must drain again.
     *
     * @return how many messages were handled; fewer than {@code max} means the bridge was drained
     *     (as when {@link #poll()} returns {@code null}); exactly {@code max} means more may wait and
     *     the hook will not fire for them, so drain again
     * @throws IllegalStateException if another thread is polling or draining this bridge now
     */
    public int drain(Consumer<? super T> handler, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        int n = 0;
        for (;;) {
            boolean outer = enter();
            try {
                T m;
                while (n < max && (m = take()) != null) {
                    handler.accept(m);
                    n++;
                }
            } finally {
                if (outer) {
                    leave();
                }
            }
            if (n == max || !outer || settled()) {
                return n;
            }
        }
    }

    /**
     * Ends this bridge {@link ComponentState#FINISHED}: at once if no other thread is draining it,
     * else at that drain's next take. Any thread may call it; idempotent.
     */
    @Override
    public void close() {
        requestEnd(ComponentState.FINISHED);
    }

    /**
     * Ends this bridge {@link ComponentState#STOPPED}: at once if no other thread is draining it,
     * else at that drain's next take. Any thread may call it.
     */
    @Override
    public void stop() {
        requestEnd(ComponentState.STOPPED);
    }

    /** Never called: a bridge has no body. */
    @Override
    protected void run() {
        throw new UnsupportedOperationException("a bridge has no body");
    }

    // ---------------------------------------------------------------- receiver hooks

    private static Receiver edgeTriggered(Component self) {
        return new EdgeTriggered((Bridge<?>) self);
    }

    private EdgeTriggered receiving() {
        return (EdgeTriggered) receiver();
    }

    /** The integrator's wake-up hook, which the receiver runs when a delivery fires its trigger. */
    Runnable hook() {
        return wakeUp;
    }

    /** Called by the receiver at spawn: an end asked for before the spawn happens now. */
    void launched() {
        ComponentState asked = endAsked;
        if (asked != null) {
            requestEnd(asked);
        }
    }

    // ---------------------------------------------------------------- internals

    /**
     * Enters the consumer section. Returns true if the caller entered it, false if it was already
     * inside. Waits briefly while an ending holds it; throws if another drain does.
     */
    private boolean enter() {
        Thread me = Thread.currentThread();
        EdgeTriggered receiving = receiving();
        for (;;) {
            Thread holder = receiving.consumer();
            if (holder == me) {
                return false;
            }
            if (holder == null) {
                if (receiving.enter(me)) {
                    return true;
                }
            } else if (endAsked == null) {
                throw new IllegalStateException("bridge " + name() + " is being drained by " + holder
                        + "; poll and drain from one thread at a time (called on " + me + ")");
            } else {
                Thread.yield();
            }
        }
    }

    private void leave() {
        receiving().leave();
    }

    /**
     * Called after a drain found the bridge empty and left the section: returns true when the caller
     * is done (armed, or a hook is on its way), false when it must go round again (messages slipped
     * in and the trigger came back to it, or an end was asked for while it was inside).
     */
    private boolean settled() {
        if (endAsked != null && !state().isTerminal()) {
            return false;
        }
        return !receiving().rearm();
    }

    /** Takes the next message, handling endings and the control inbox. Inside the section only. */
    private T take() {
        if (state().isTerminal()) {
            return null;
        }
        ComponentState asked = endAsked;
        if (asked != null) {
            end(asked, null);
            return null;
        }
        T m = inbox.poll();
        if (m == null && control.hasMessages()) {
            Signal s;
            while ((s = control.poll()) != null) {
                if (s instanceof Shutdown) {
                    shutdownTaken = true;
                } else {
                    LOG.log(Level.DEBUG, "bridge {0} ignores {1}", name(), s);
                }
            }
            m = inbox.poll();
        }
        if (m == null && shutdownTaken) {
            end(ComponentState.FINISHED, null);
        }
        return m;
    }

    /**
     * Ends now if the section is free or ours; otherwise its holder ends at its next take. Before
     * the spawn it only records the end, which the spawn carries out (launch reads endAsked after
     * the RUNNING that this read of the state did not see).
     */
    private void requestEnd(ComponentState how) {
        ENDASKED.compareAndSet(this, null, how);
        if (state() == ComponentState.CREATED) {
            return;
        }
        Thread me = Thread.currentThread();
        EdgeTriggered receiving = receiving();
        if (receiving.consumer() == me) {
            end(endAsked, null);
        } else if (receiving.enter(me)) {
            try {
                end(endAsked, null);
            } finally {
                leave();
            }
        }
    }

    private void end(ComponentState how, Throwable cause) {
        if (state().isTerminal()) {
            return;
        }
        if (runtime() == null) {
            throw new IllegalStateException("bridge " + name() + " was never spawned");
        }
        terminate(how, cause);
    }

    /** One turn of an {@link #onExecutor} bridge, on the executor. */
    private void turn(Executor executor, Consumer<? super T> handler) {
        try {
            if (drain(handler, TURN_BATCH) == TURN_BATCH) {
                executor.execute(() -> turn(executor, handler));
            }
        } catch (RuntimeException | Error e) {
            boolean outer = enter();
            try {
                end(ComponentState.FAILED, e);
            } finally {
                if (outer) {
                    leave();
                }
            }
        }
    }
}
