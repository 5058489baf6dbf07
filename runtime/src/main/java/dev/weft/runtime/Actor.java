package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadFactory;

/**
 * A handler-style actor: written as {@link #onMessage(Object)}, it holds no thread while idle.
 *
 * <pre>{@code
 * final class Counter extends Actor<Integer> {
 *     final Outbox<Integer> outbox = outbox(Integer.class);
 *     private int total;
 *
 *     Counter() {
 *         super(Integer.class);
 *     }
 *
 *     protected void onMessage(Integer n) throws InterruptedException {
 *         total += n;
 *         outbox.send(total);                   // may block: a turn runs on a virtual thread
 *     }
 * }
 * }</pre>
 *
 * <p>When mail arrives in its {@link #inbox()} or on its {@link #control()} inbox, the actor is
 * scheduled onto a new virtual thread for a <em>turn</em>: it takes up to {@link #throughput()}
 * messages, signals first, then gives the thread back. Turns of one actor never overlap, and each
 * sees the effects of the one before, so the handler needs no locks for the actor's own state. The
 * handler may block (send, receive from the actor's own inboxes, {@link Inbox#ask ask}); other
 * actors keep running meanwhile.
 *
 * <p>Everything else is a {@link Component}'s: outboxes and links, spawning and watching, the
 * service registry, {@link Terminated} to the spawner and watchers, {@link #stop()}, and failure
 * isolation (an exception thrown by a handler fails this actor only). An actor ends when a handler
 * calls {@link #finish()} (the default {@link #onSignal(Signal)} does so on {@link Shutdown}), when
 * a handler throws, or when it is stopped.
 *
 * @param <T> the type of message the actor's inbox takes
 */
public abstract class Actor<T> extends Component {
    /*
     * Turn scheduling.
     *
     * turn is HELD or IDLE. HELD (0, the initial value) means not started yet, a turn scheduled or
     * running, or ended; IDLE means started with no turn, holding no thread. Only the winner of a
     * CAS IDLE -> HELD starts a turn, and only a turn (or launch) stores IDLE, so at most one turn
     * exists at a time, and the start of each turn happens-after the end of the one before.
     *
     * An inbox calls wake() after every accepted offer: it reads turn (volatile) and, if IDLE,
     * CASes it to HELD and starts a turn on a new virtual thread. A turn binds its thread (so
     * receive, wake-up of a parked receive, and stop() reach it), takes up to throughput()
     * messages, then either keeps HELD and starts the next turn on a fresh virtual thread (budget
     * used up: other virtual threads get the carrier in between), or unbinds, stores IDLE
     * (volatile) and re-checks its inboxes and the stop flag (volatile loads of the queues'
     * producer indices). Sender: offer, then load turn; turn: store IDLE, then load the queues. All
     * are volatile, so one total order holds them: either the re-check sees the message (and the
     * turn CASes IDLE -> HELD itself) or the sender sees IDLE. No wake-up is lost.
     *
     * While a handler blocks in receive or select on this actor's inboxes, turn is HELD and
     * Component's park protocol applies unchanged: wake() falls through to Component.wake(), which
     * unparks the bound thread if it published PARKED.
     */
    /** How many messages a turn takes unless {@link #throughput()} says otherwise. */
    public static final int DEFAULT_THROUGHPUT = 64;

    private static final int HELD = 0;
    private static final int IDLE = 1;
    private static final ThreadFactory TURNS = Thread.ofVirtual().name("weft-actor-turn").factory();
    private static final VarHandle TURN;

    static {
        try {
            TURN = MethodHandles.lookup().findVarHandle(Actor.class, "turn", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Inbox<T> inbox;
    private volatile int turn;
    /** Set by finish(); read and written only on the turn's thread. */
    private boolean finishing;

    /** Creates an actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(Class<T> type) {
        this.inbox = inbox(type);
        inbox.preferCompact();
    }

    /** Creates a named actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(String name, Class<T> type) {
        super(name);
        this.inbox = inbox(type);
        inbox.preferCompact();
    }

    /** Creates a named actor whose inbox takes {@code type} and holds at most {@code capacity} messages. */
    protected Actor(String name, Class<T> type, int capacity) {
        super(name);
        this.inbox = inbox("inbox", type, capacity);
        inbox.preferCompact();
    }

    /** Returns this actor's inbox (named {@code "inbox"}), whose messages go to {@link #onMessage}. */
    public final Inbox<T> inbox() {
        return inbox;
    }

    /**
     * Handles one message from {@link #inbox()}. Runs on the current turn's virtual thread; may block.
     * Throwing fails this actor ({@link InterruptedException} after {@link #stop()} stops it).
     */
    protected abstract void onMessage(T message) throws Exception;

    /**
     * Handles one signal from {@link #control()}: {@link Shutdown}, {@link ProducerFinished}, the
     * {@link Terminated} of a child or watched component, or an application's own. Signals are
     * taken before messages. The default calls {@link #finish()} on {@link Shutdown} and ignores
     * the rest.
     */
    protected void onSignal(Signal signal) throws Exception {
        if (signal instanceof Shutdown) {
            finish();
        }
    }

    /**
     * How many messages (signals included) a turn takes at most before it gives its thread back.
     * The default is {@value #DEFAULT_THROUGHPUT}; override for another. Lower is fairer to other
     * actors, higher costs fewer thread starts under load.
     */
    protected int throughput() {
        return DEFAULT_THROUGHPUT;
    }

    /**
     * Ends this actor, {@link ComponentState#FINISHED}, once the current handler returns. Messages
     * still queued are dropped and counted as dead letters.
     *
     * @throws IllegalStateException if called outside this actor's handlers
     */
    protected final void finish() {
        if (!isReceiverThread()) {
            throw new IllegalStateException("only " + name() + "'s own handlers may finish it");
        }
        finishing = true;
    }

    /** An actor has no body of its own: its turns call the handlers. */
    @Override
    protected final void run() {
        throw new UnsupportedOperationException(name() + " is an actor; its turns call onMessage");
    }

    /** Interrupts the current turn if any, or schedules one if idle; either way the actor ends stopped. */
    @Override
    public void stop() {
        super.stop();
        wake();
    }

    // ---------------------------------------------------------------- runtime internals

    @Override
    final void checkSpawnable() {
        int budget = throughput();
        if (budget < 1) {
            throw new IllegalArgumentException(name() + ": throughput must be positive: " + budget);
        }
    }

    @Override
    final void launch() {
        release();
    }

    @Override
    final void wake() {
        if ((int) TURN.getVolatile(this) == IDLE && TURN.compareAndSet(this, IDLE, HELD)) {
            startTurn();
        } else {
            super.wake();
        }
    }

    private void turn() {
        bindThread(Thread.currentThread());
        int budget = throughput();
        int taken = 0;
        try {
            while (taken < budget) {
                if (stopRequested()) {
                    end(ComponentState.STOPPED, null);
                    return;
                }
                Inbox<Signal> control = controlIfCreated();
                Signal signal = control == null ? null : control.poll();
                if (signal != null) {
                    onSignal(signal);
                } else {
                    T message = inbox.poll();
                    if (message == null) {
                        break;
                    }
                    onMessage(message);
                }
                taken++;
                if (finishing) {
                    end(ComponentState.FINISHED, null);
                    return;
                }
            }
        } catch (Throwable t) {
            bindThread(null);
            terminate(t);
            return;
        }
        bindThread(null);
        if (taken == budget) {
            startTurn();
        } else {
            release();
        }
    }

    private void end(ComponentState state, Throwable cause) {
        bindThread(null);
        terminate(state, cause);
    }

    /** Gives up the turn, then takes it back if mail (or a stop) arrived meanwhile. */
    private void release() {
        TURN.setVolatile(this, IDLE);
        if (hasWork() && TURN.compareAndSet(this, IDLE, HELD)) {
            startTurn();
        }
    }

    private void startTurn() {
        TURNS.newThread(this::turn).start();
    }

    private boolean hasWork() {
        Inbox<Signal> control = controlIfCreated();
        return inbox.hasMessages() || (control != null && control.hasMessages()) || stopRequested();
    }
}
