package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
 * <p>When mail arrives in its {@link #inbox} or on its {@link #control} inbox, the actor is
 * scheduled for a <em>turn</em> on one of the runtime's worker virtual threads (the dispatcher): it
 * takes up to {@link #throughput()} messages, signals first, then gives the worker back. The first
 * turn runs {@link #onStart()} before any message. Turns of one actor never overlap, and each sees
 * the effects of the one before, so the handler needs no locks for the actor's own state. An actor
 * woken by another's handler runs next on that handler's worker, so a chain of hand-offs stays on
 * one warm thread. Spawning an actor starts no thread.
 *
 * <p>The handler may block (send, receive from the actor's own inboxes, {@link Inbox#ask ask}, or
 * JDBC, files, sleep); other actors keep running meanwhile: blocking inside Weft hands the worker's
 * queued actors to another worker at once, and a turn stuck elsewhere past the runtime's
 * stuck-turn threshold has its worker replaced.
 *
 * <p>Everything else is a {@link Component}'s: outboxes and links, spawning and watching, the
 * service registry, {@link Terminated} to the spawner and watchers, {@link #stop()}, and failure
 * isolation (an exception thrown by a handler fails this actor only). An actor ends when a handler
 * calls {@link #finish()} (the default {@link #onSignal(Signal)} does so on {@link Shutdown}, and on
 * {@link ProducerFinished} after the messages still queued), when
 * a handler throws, or when it is stopped.
 *
 * @param <T> the type of message the actor's inbox takes
 */
public abstract class Actor<T> extends Component {
    /*
     * Turn scheduling.
     *
     * turn is HELD or IDLE. HELD (0, the initial value) means not started yet, a turn queued or
     * running, or ended; IDLE means started with no turn, holding no thread. Only the winner of a
     * CAS IDLE -> HELD submits a turn to the runtime's Dispatcher, and only a turn stores IDLE, so
     * at most one turn is queued or running at a time. The dispatcher runs each submission once,
     * and hands a unit from one worker to the next through its queues, so the start of each turn
     * happens-after the end of the one before.
     *
     * launch() submits the first turn (turn stays HELD), which runs onStart(). An inbox calls
     * wake() after every accepted offer: it reads turn (volatile) and, if IDLE, CASes it to HELD
     * and submits a turn. A turn binds its worker's thread (so receive, wake-up of a parked
     * receive, and stop() reach it), takes up to throughput() messages, then either keeps HELD and
     * asks the dispatcher for another turn (budget used up: the actor goes behind the others), or
     * unbinds, stores IDLE (volatile) and re-checks its inboxes and the stop flag (volatile loads of
     * the queues' producer indices). Sender: offer, then load turn; turn: store IDLE, then load the
     * queues. All are volatile, so one total order holds them: either the re-check sees the message
     * (and the turn CASes IDLE -> HELD and asks for another turn) or the sender sees IDLE. No
     * wake-up is lost.
     *
     * While a handler blocks in receive or select on this actor's inboxes, turn is HELD and
     * Component's park protocol applies unchanged: wake() falls through to Component.wake(), which
     * unparks the bound thread if it published PARKED.
     *
     * stop() interrupts the bound thread, and a worker runs many actors' turns: an interrupt that
     * arrived after this turn ended would hit another actor's handler. So stop() counts itself in
     * `interrupting` (an atomic add) before it reads the bound thread, and a turn, after unbinding
     * (a volatile store), waits until `interrupting` is zero; the worker then clears the thread's
     * interrupt status before the next turn. Either stop() reads the thread after the unbinding and
     * interrupts nobody, or the turn sees it counted and waits for its interrupt to land first.
     */
    /** How many messages a turn takes unless {@link #throughput()} says otherwise. */
    public static final int DEFAULT_THROUGHPUT = 64;

    private static final int HELD = 0;
    private static final int IDLE = 1;
    private static final byte STARTED = 1;
    private static final byte FINISHING = 2;
    private static final VarHandle TURN;
    private static final VarHandle INTERRUPTING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TURN = lookup.findVarHandle(Actor.class, "turn", int.class);
            INTERRUPTING = lookup.findVarHandle(Actor.class, "interrupting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** This actor's inbox (named {@code "inbox"}), whose messages go to {@link #onMessage}. */
    public final Inbox<T> inbox;
    private final Turns turns = new Turns(this);
    private volatile int turn;
    private volatile int interrupting;
    /** STARTED once onStart() has run, FINISHING once finish() was called; read and written only by turns. */
    private byte progress;

    /** Creates an actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(Class<T> type) {
        this.inbox = inbox(type);
    }

    /** Creates a named actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(String name, Class<T> type) {
        super(name);
        this.inbox = inbox(type);
    }

    /** Creates a named actor whose inbox takes {@code type} and holds at most {@code capacity} messages. */
    protected Actor(String name, Class<T> type, int capacity) {
        super(name);
        this.inbox = inbox("inbox", type, capacity);
    }

    /**
     * Returns an actor, not yet spawned, that passes each message of its {@link #inbox} to
     * {@code handler}, like Pekko's {@code Behaviors.receiveMessage}. It has everything an actor has
     * and ends as one does: on {@link Shutdown}, and on {@link ProducerFinished} after the messages
     * still queued. Subclass {@code Actor} instead when the actor needs outboxes, state or
     * {@link #onStart()}.
     *
     * <pre>{@code
     * Actor<String> printer = weft.spawn(Actor.of(String.class, System.out::println));
     * printer.inbox.send("hello");
     * }</pre>
     */
    public static <T> Actor<T> of(Class<T> type, MessageHandler<? super T> handler) {
        return new HandlerActor<>(type, handler);
    }

    /** As {@link #of(Class, MessageHandler)}, with a name for logs, metrics and the inspector. */
    public static <T> Actor<T> of(String name, Class<T> type, MessageHandler<? super T> handler) {
        return new HandlerActor<>(name, type, handler);
    }

    /**
     * Runs once, as the actor's first turn, before any message or signal is handled: set up state,
     * spawn children, send the first messages (like Pekko's {@code Behaviors.setup}), so spawning
     * needs no kick message. Runs on a worker; may block; may call {@link #finish()}. Throwing
     * fails this actor. The default does nothing.
     */
    protected void onStart() throws Exception {
    }

    /**
     * Handles one message from {@link #inbox}. Runs on the current turn's worker thread; may block.
     * Throwing fails this actor ({@link InterruptedException} after {@link #stop()} stops it).
     */
    protected abstract void onMessage(T message) throws Exception;

    /**
     * Handles one signal from {@link #control}: {@link Shutdown}, {@link ProducerFinished}, the
     * {@link Terminated} of a child or watched component, or an application's own. Signals are
     * taken before messages. The default calls {@link #finish()} on {@link Shutdown}; on
     * {@link ProducerFinished} it first handles every message still queued in {@link #inbox}, then
     * finishes (and, as every component that finishes does, sends {@code ProducerFinished} on
     * {@link #signal} if it is linked). It ignores the rest.
     */
    protected void onSignal(Signal signal) throws Exception {
        if (signal instanceof ProducerFinished) {
            for (T message; (message = inbox.poll()) != null; ) {
                onMessage(message);
            }
            finish();
        } else if (signal instanceof Shutdown) {
            finish();
        }
    }

    /**
     * How many messages (signals included) a turn takes at most before the actor goes behind the
     * other ready actors. The default is {@value #DEFAULT_THROUGHPUT}; override for another. Lower
     * is fairer to other actors, higher costs fewer turns under load.
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
        progress |= FINISHING;
    }

    /** An actor's inbox queue is unpadded: actors are many and mostly idle. */
    @Override
    final boolean prefersCompactInboxes() {
        return true;
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
        runtime().dispatcher().submit(turns);
    }

    @Override
    final void wake() {
        if ((int) TURN.getVolatile(this) == IDLE && TURN.compareAndSet(this, IDLE, HELD)) {
            runtime().dispatcher().submit(turns);
        } else {
            super.wake();
        }
    }

    @Override
    final void interruptThread() {
        INTERRUPTING.getAndAdd(this, 1);
        try {
            super.interruptThread();
        } finally {
            INTERRUPTING.getAndAdd(this, -1);
        }
    }

    /** One turn; returns true if the actor used its whole budget and wants another. */
    private boolean turn() {
        bindThread(Thread.currentThread());
        int budget = throughput();
        int taken = 0;
        try {
            if ((progress & STARTED) == 0) {
                progress |= STARTED;
                if (!stopRequested()) {
                    onStart();
                    if ((progress & FINISHING) != 0) {
                        return end(ComponentState.FINISHED);
                    }
                }
            }
            while (taken < budget) {
                if (stopRequested()) {
                    return end(ComponentState.STOPPED);
                }
                Signal signal = control.poll();
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
                if ((progress & FINISHING) != 0) {
                    return end(ComponentState.FINISHED);
                }
            }
        } catch (Throwable t) {
            leaveThread();
            terminate(t);
            return false;
        }
        leaveThread();
        if (taken == budget) {
            return true;
        }
        TURN.setVolatile(this, IDLE);
        return hasWork() && TURN.compareAndSet(this, IDLE, HELD);
    }

    /** Ends the actor from inside its turn; returns false (no further turn). */
    private boolean end(ComponentState state) {
        leaveThread();
        terminate(state, null);
        return false;
    }

    /** Unbinds the turn's thread, then waits out a stop() that may still be interrupting it. */
    private void leaveThread() {
        bindThread(null);
        while ((int) INTERRUPTING.getVolatile(this) != 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * An idle actor (started, no turn queued or running) waits on its inbox and its control inbox
     * as a parked thread-style component does, so diagnostics treat it alike.
     */
    @Override
    final Inbox<?>[] awaiting() {
        return (int) TURN.getVolatile(this) == IDLE && !state().isTerminal()
                ? new Inbox<?>[] {inbox, control} : super.awaiting();
    }

    private boolean hasWork() {
        return inbox.hasMessages() || control.hasMessages() || stopRequested();
    }

    /** What the dispatcher runs: package-private, so that the turn is not part of Actor's API. */
    private static final class Turns implements Schedulable {
        private final Actor<?> actor;

        Turns(Actor<?> actor) {
            this.actor = actor;
        }

        @Override
        public boolean runTurn() {
            return actor.turn();
        }

        @Override
        public String toString() {
            return actor.name();
        }
    }
}
