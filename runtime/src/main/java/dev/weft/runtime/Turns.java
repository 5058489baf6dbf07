package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The receiver of an {@link Actor}: it holds no thread while idle, and a send schedules a turn on
 * the runtime's {@link Dispatcher}, which runs the actor's handlers ({@link Actor#takeTurn()}).
 */
final class Turns extends Parking implements Schedulable {
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
     * While a handler blocks in receive or select on the actor's inboxes, turn is HELD and
     * Parking's protocol applies unchanged: wake() falls through to Parking.wake(), which unparks
     * the bound thread if it published PARKED.
     *
     * A stop interrupts the bound thread, and a worker runs many actors' turns: an interrupt that
     * arrived after this turn ended would hit another actor's handler. So stopping() counts itself
     * in `interrupting` (an atomic add) before it reads the bound thread, and a turn, after
     * unbinding (a volatile store), waits until `interrupting` is zero; the worker then clears the
     * thread's interrupt status before the next turn. Either the stop reads the thread after the
     * unbinding and interrupts nobody, or the turn sees it counted and waits for its interrupt to
     * land first. An idle actor has no thread to interrupt, so stopping() then wakes it: its next
     * turn sees the stop flag and ends it STOPPED.
     */
    private static final byte HELD = 0;
    private static final byte IDLE = 1;
    private static final VarHandle TURN;
    private static final VarHandle INTERRUPTING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TURN = lookup.findVarHandle(Turns.class, "turn", byte.class);
            INTERRUPTING = lookup.findVarHandle(Turns.class, "interrupting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** HELD or IDLE: a byte, for idle memory (an actor is mostly idle). */
    private volatile byte turn;
    private volatile int interrupting;

    Turns(Actor<?> actor) {
        super(actor);
    }

    private Actor<?> actor() {
        return (Actor<?>) owner;
    }

    /** Submits the first turn, which runs onStart(); no thread is started. */
    @Override
    void launch() {
        owner.runtime().dispatcher().submit(this);
    }

    @Override
    void wake() {
        if ((byte) TURN.getVolatile(this) == IDLE && TURN.compareAndSet(this, IDLE, HELD)) {
            owner.runtime().dispatcher().submit(this);
        } else {
            super.wake();
        }
    }

    /** Interrupts the current turn if any, or schedules one if idle; either way the actor ends stopped. */
    @Override
    void stopping() {
        INTERRUPTING.getAndAdd(this, 1);
        try {
            super.stopping();
        } finally {
            INTERRUPTING.getAndAdd(this, -1);
        }
        wake();
    }

    /** One turn; returns true if the actor used its whole budget and wants another. */
    @Override
    public boolean runTurn() {
        Actor<?> actor = actor();
        bind(Thread.currentThread());
        ComponentState after;
        try {
            after = actor.takeTurn();
        } catch (Throwable t) {
            leave();
            actor.terminate(t);
            return false;
        }
        leave();
        if (after == ComponentState.RUNNING) {
            return true;
        }
        if (after != null) {
            actor.terminate(after, null);
            return false;
        }
        TURN.setVolatile(this, IDLE);
        return hasWork(actor) && TURN.compareAndSet(this, IDLE, HELD);
    }

    /** Unbinds the turn's thread, then waits out a stop that may still be interrupting it. */
    private void leave() {
        bind(null);
        while ((int) INTERRUPTING.getVolatile(this) != 0) {
            Thread.onSpinWait();
        }
    }

    private static boolean hasWork(Actor<?> actor) {
        return actor.inbox.hasMessages() || actor.control.hasMessages() || actor.stopRequested();
    }

    /**
     * An idle actor (started, no turn queued or running) waits on its inbox and its control inbox
     * as a parked thread-style component does, so diagnostics treat it alike.
     */
    @Override
    Inbox<?>[] awaiting() {
        Actor<?> actor = actor();
        return (byte) TURN.getVolatile(this) == IDLE && !actor.state().isTerminal()
                ? new Inbox<?>[] {actor.inbox, actor.control} : super.awaiting();
    }

    @Override
    public String toString() {
        return owner.name();
    }
}
