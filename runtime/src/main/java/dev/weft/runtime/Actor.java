package dev.weft.runtime;

import java.util.Objects;

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
     * Turn scheduling (who runs a turn, and when) is the Turns receiver's; its comment has the
     * protocol. This class holds what a turn does: onStart() once, then signals before messages, up
     * to throughput() of them, and the end that finish() asks for.
     */

    /** How many messages a turn takes unless {@link #throughput()} says otherwise. */
    public static final int DEFAULT_THROUGHPUT = 64;

    private static final byte STARTED = 1;
    private static final byte FINISHING = 2;

    /** This actor's inbox (named {@code "inbox"}), whose messages go to {@link #onMessage}. */
    public final Inbox<T> inbox;
    /** STARTED once onStart() has run, FINISHING once finish() was called; read and written only by turns. */
    private byte progress;

    /** Creates an actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(Class<T> type) {
        super(null, Actor::turns);
        this.inbox = inbox(type);
    }

    /** Creates a named actor whose inbox takes {@code type}, with the runtime's default capacity. */
    protected Actor(String name, Class<T> type) {
        super(Objects.requireNonNull(name, "name"), Actor::turns);
        this.inbox = inbox(type);
    }

    /** Creates a named actor whose inbox takes {@code type} and holds at most {@code capacity} messages. */
    protected Actor(String name, Class<T> type, int capacity) {
        super(Objects.requireNonNull(name, "name"), Actor::turns);
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

    // ---------------------------------------------------------------- runtime internals

    @Override
    final void checkSpawnable() {
        int budget = throughput();
        if (budget < 1) {
            throw new IllegalArgumentException(name() + ": throughput must be positive: " + budget);
        }
    }

    /** The receiver of every actor: turns on the runtime's dispatcher. */
    private static Receiver turns(Component self) {
        return new Turns((Actor<?>) self);
    }

    /**
     * Runs one turn's handlers on the bound thread (see {@link Turns}): onStart() first if it has not
     * run, then up to {@link #throughput()} signals and messages.
     *
     * @return {@code null} if the inboxes ran dry, {@link ComponentState#RUNNING} if the budget was
     *     used up (more may wait), or {@link ComponentState#FINISHED} or {@link ComponentState#STOPPED}
     *     if the actor must end
     * @throws Exception whatever a handler threw
     */
    final ComponentState takeTurn() throws Exception {
        int budget = throughput();
        int taken = 0;
        if ((progress & STARTED) == 0) {
            progress |= STARTED;
            if (!stopRequested()) {
                onStart();
                if ((progress & FINISHING) != 0) {
                    return ComponentState.FINISHED;
                }
            }
        }
        while (taken < budget) {
            if (stopRequested()) {
                return ComponentState.STOPPED;
            }
            Signal signal = control.poll();
            if (signal != null) {
                onSignal(signal);
            } else {
                T message = inbox.poll();
                if (message == null) {
                    return null;
                }
                onMessage(message);
            }
            taken++;
            if ((progress & FINISHING) != 0) {
                return ComponentState.FINISHED;
            }
        }
        return ComponentState.RUNNING;
    }
}
