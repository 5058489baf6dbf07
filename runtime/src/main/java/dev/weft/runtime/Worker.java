package dev.weft.runtime;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * One long-lived virtual thread of a {@link Dispatcher}: it runs turns of ready units, one after the
 * other, from its run-next slot, its {@link RunQueue}, the global queue, and by stealing.
 */
final class Worker implements Runnable {
    /*
     * The turn word (`turn`) says where the worker is, and is how a worker loses its slot:
     *
     *   even          between turns (idle, spinning, or picking the next unit)
     *   odd           running a turn; the value grows by one at each start and end
     *   odd | LAME    running a turn that has given up its slot: the turn blocked inside Weft (the
     *                 worker set LAME itself, Dispatcher.aboutToBlock) or the monitor found it stuck
     *                 on one turn for a whole tick and retook the slot (a CAS from the odd value it
     *                 sampled twice, so it can only hit the turn it watched)
     *
     * A turn starts with an opaque store of an odd value and ends with a CAS back to even. The CAS
     * fails only if LAME was set meanwhile: then the worker has no slot. It flushes whatever still
     * sits in its run-next slot and run queue to the global queue, takes a free slot if there is one
     * (and goes on as an ordinary worker) or else ends its thread. So the number of workers holding a
     * slot never exceeds the dispatcher's parallelism, and a blocked turn costs one extra virtual
     * thread for as long as it blocks, never more.
     *
     * Run-next: a unit woken from inside a turn goes to the waker's run-next slot, pushing the one
     * it held (if any) to the tail of the run queue. The worker takes run-next first, so a chain of
     * hand-offs (ping-pong, a ring) runs on this one warm thread with no park or unpark. The chain
     * inherits the time slice: after RUN_NEXT_LIMIT consecutive run-next turns the unit in run-next
     * goes behind the run queue. Only the owner and hand-off (the worker itself on blocking, or the
     * monitor after LAME) take from run-next, both by getAndSet, so it is never lost or doubled;
     * idle workers steal from run queues only, so a ping-pong pair is not pulled apart.
     *
     * A push into run-next or the run queue re-reads the turn word afterwards (getAndSet is a full
     * barrier; the run-queue push is followed by a full fence): if the monitor set LAME meanwhile,
     * its hand-off may have swept the slot before the push, so the worker sweeps again itself. The
     * monitor sets LAME before sweeping, so one of the two sweeps sees the unit.
     */
    static final long LAME = 1L << 62;
    /** Consecutive run-next turns before the unit in run-next goes behind the run queue. */
    static final int RUN_NEXT_LIMIT = 16;
    /** Every this many turns the global queue is looked at first, so it cannot starve. */
    private static final int GLOBAL_CHECK_INTERVAL = 61;
    /** Rounds over the other workers' run queues before a spinning worker gives up. */
    private static final int STEAL_ROUNDS = 4;
    /** What {@link #findOrIdle()} returns when the worker must park, or look again. */
    static final Schedulable PARK = () -> false;
    static final Schedulable LOOK_AGAIN = () -> false;
    private static final System.Logger LOG = System.getLogger(Worker.class.getName());
    private static final VarHandle TURN;
    private static final VarHandle RUN_NEXT;
    private static final VarHandle WOKEN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TURN = lookup.findVarHandle(Worker.class, "turn", long.class);
            RUN_NEXT = lookup.findVarHandle(Worker.class, "runNext", Schedulable.class);
            WOKEN = lookup.findVarHandle(Worker.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Dispatcher dispatcher;
    final RunQueue queue = new RunQueue();
    private volatile long turn;
    private volatile Schedulable runNext;
    /** Set (under the dispatcher's idle lock) by whoever takes this worker off the parked stack. */
    private volatile boolean woken;
    /** The thread running this worker; set before it starts. */
    Thread thread;
    /** The turn word the monitor saw at its last tick; the monitor's own field. */
    long lastSeenTurn;
    /** Counted in the dispatcher's spinning count. Own thread only. */
    boolean spinning;
    private int runNextStreak;
    private int ticks;
    /** The last turn used its whole budget: the global queue goes first at the next pick. */
    private boolean yielded;

    Worker(Dispatcher dispatcher, boolean spinning) {
        this.dispatcher = dispatcher;
        this.spinning = spinning;
    }

    @Override
    public void run() {
        Dispatcher.CURRENT.set(this);
        try {
            for (Schedulable unit; (unit = next()) != null; ) {
                if (!runOne(unit)) {
                    return;
                }
            }
        } finally {
            Dispatcher.CURRENT.remove();
            dispatcher.deregister(this);
        }
    }

    // ---------------------------------------------------------------- one turn

    /** Runs one turn of {@code unit}; returns false if this worker lost its slot and ends. */
    boolean runOne(Schedulable unit) {
        long start = (long) TURN.getOpaque(this) + 1;
        TURN.setOpaque(this, start);
        boolean again;
        try {
            again = unit.runTurn();
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "a turn of " + unit + " threw; the unit is dropped", t);
            again = false;
        }
        Thread.interrupted();                         // a stop() aimed at that turn must not reach the next
        if (TURN.compareAndSet(this, start, start + 1)) {
            if (again) {
                pushTail(unit);                      // behind this worker's queue, and
                yielded = true;                      // behind the global queue: looked at next
            }
            return true;
        }
        return afterLostSlot(again ? unit : null, start + 1);
    }

    /** The turn that ended had lost the slot: requeue, then take a free slot or end this thread. */
    private boolean afterLostSlot(Schedulable again, long even) {
        boolean moved = sweepToGlobal();
        if (again != null) {
            dispatcher.global.offer(again);
            moved = true;
        }
        runNextStreak = 0;
        if (dispatcher.tryTakeSlot()) {
            TURN.setVolatile(this, even);
            dispatcher.slotTaken();
            return true;
        }
        if (moved) {
            dispatcher.wakeIfNeeded();
        }
        return false;
    }

    /** Moves run-next and the run queue to the global queue; returns whether it moved anything. */
    boolean sweepToGlobal() {
        boolean moved = false;
        Schedulable u = (Schedulable) RUN_NEXT.getAndSet(this, null);
        if (u != null) {
            dispatcher.global.offer(u);
            moved = true;
        }
        while ((u = queue.poll()) != null) {
            dispatcher.global.offer(u);
            moved = true;
        }
        return moved;
    }

    // ---------------------------------------------------------------- submissions from inside a turn

    /**
     * Called on this worker's thread by a turn that readies {@code unit}: puts it in run-next.
     *
     * @return false if this worker holds no slot (the caller uses the global queue instead)
     */
    boolean pushFromTurn(Schedulable unit) {
        long t = turn;
        if ((t & LAME) != 0 || (t & 1) == 0) {
            return false;
        }
        Schedulable displaced = (Schedulable) RUN_NEXT.getAndSet(this, unit);
        boolean notify = false;
        if (displaced != null) {
            pushTail(displaced);
            VarHandle.fullFence();
            notify = true;
        }
        if ((turn & LAME) != 0) {
            notify |= sweepToGlobal();            // the monitor's hand-off may have swept before our push
        }
        if (notify) {
            dispatcher.wakeIfNeeded();
        }
        return true;
    }

    /** Owner only: appends to the run queue, spilling half of it to the global queue when full. */
    private void pushTail(Schedulable unit) {
        while (!queue.push(unit)) {
            for (int i = 0; i < RunQueue.CAPACITY / 2; i++) {
                Schedulable u = queue.poll();
                if (u == null) {
                    break;
                }
                dispatcher.global.offer(u);
            }
        }
    }

    /**
     * Called on this worker's thread when its turn is about to block inside Weft: gives up the slot
     * and hands run-next and the run queue to the others.
     */
    void detach() {
        long t = turn;
        if ((t & 1) == 1 && (t & LAME) == 0 && TURN.compareAndSet(this, t, t | LAME)) {
            dispatcher.handOff(this);
        }
    }

    /** Called by the monitor: retakes the slot if this worker is still on the turn it saw last tick. */
    boolean retakeIfStuck(long seen) {
        return (seen & 1) == 1 && (seen & LAME) == 0 && TURN.compareAndSet(this, seen, seen | LAME);
    }

    long turnWord() {
        return turn;
    }

    boolean hasQueued() {
        return runNext != null || !queue.isEmpty();
    }

    // ---------------------------------------------------------------- finding the next unit

    /** Returns the next unit to run, parking while there is none; null when this worker should end. */
    Schedulable next() {
        for (;;) {
            Schedulable unit = findOrIdle();
            if (unit == PARK) {
                awaitWake();
            } else if (unit != LOOK_AGAIN) {
                return unit;
            }
        }
    }

    /**
     * One look for work that never blocks: returns a unit to run; {@code null} if the dispatcher is
     * closed and nothing is left; {@link #PARK} if this worker registered as idle and must now park
     * ({@link #awaitWake()}); or {@link #LOOK_AGAIN}.
     */
    Schedulable findOrIdle() {
        Schedulable unit = takeLocal();
        if (unit == null && spinningAllowed()) {
            unit = steal();
        }
        if (unit != null) {
            if (spinning) {
                stopSpinning();
            }
            return unit;
        }
        if (dispatcher.closed()) {
            if (spinning) {
                spinning = false;
                dispatcher.spinningDone();
            }
            return null;
        }
        return registerIdle() ? PARK : LOOK_AGAIN;
    }

    /**
     * Run-next (within the time slice), then the run queue, then the global queue; the global
     * queue first every GLOBAL_CHECK_INTERVAL picks and after a unit used its whole budget, so that
     * a unit that yields goes behind everything that waits, not only behind this worker's queue.
     */
    private Schedulable takeLocal() {
        if (++ticks % GLOBAL_CHECK_INTERVAL == 0 || yielded) {
            yielded = false;
            Schedulable g = dispatcher.global.poll();
            if (g != null) {
                runNextStreak = 0;
                return g;
            }
        }
        Schedulable unit = (Schedulable) RUN_NEXT.getAndSet(this, null);
        if (unit != null) {
            if (++runNextStreak <= RUN_NEXT_LIMIT) {
                return unit;
            }
            pushTail(unit);                        // the chain has used its slice: behind the others
        }
        runNextStreak = 0;
        unit = queue.poll();
        if (unit != null) {
            return unit;
        }
        unit = dispatcher.global.poll();
        if (unit != null && !dispatcher.global.isEmpty()) {
            dispatcher.wakeIfNeeded();             // more waits there: let an idle worker help
        }
        return unit;
    }

    /** Becomes a spinner unless enough workers already spin (Go's rule: at most half the busy ones). */
    private boolean spinningAllowed() {
        if (spinning) {
            return true;
        }
        if (!dispatcher.mayStartSpinning()) {
            return false;
        }
        spinning = true;
        return true;
    }

    /** Looks at the global queue and steals half of another worker's run queue, a few rounds. */
    private Schedulable steal() {
        for (int round = 0; round < STEAL_ROUNDS; round++) {
            Worker[] all = dispatcher.workers();
            int n = all.length;
            int start = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
            for (int i = 0; i < n; i++) {
                Worker victim = all[(start + i) % n];
                if (victim != this) {
                    Schedulable unit = queue.stealFrom(victim.queue);
                    if (unit != null) {
                        return unit;
                    }
                }
            }
            Schedulable g = dispatcher.global.poll();
            if (g != null) {
                return g;
            }
            Thread.yield();                            // let the carrier's other virtual threads run
        }
        return null;
    }

    private void stopSpinning() {
        spinning = false;
        dispatcher.spinnerFoundWork(!queue.isEmpty());
    }

    // ---------------------------------------------------------------- idling

    /**
     * The idle half of the no-lost-wake-up protocol (see Dispatcher): registers this worker as
     * parked, stops counting as a spinner, then looks for work once more.
     *
     * @return true if the worker should park now, false if it found work and stays awake
     */
    boolean registerIdle() {
        WOKEN.setOpaque(this, false);
        dispatcher.parkIdle(this);
        if (spinning) {
            spinning = false;
            dispatcher.spinningDone();
        }
        VarHandle.fullFence();
        if (!dispatcher.workWaiting() && !dispatcher.closed()) {
            return true;
        }
        if (dispatcher.leaveParked(this)) {
            spinning = true;                           // we took ourselves back: go and look, as a spinner
            dispatcher.spinningAdded();
            return false;
        }
        consumeWake();                                 // a waker took us off the stack first
        return false;
    }

    /** Parks until a waker (or close) takes this worker off the parked stack. */
    void awaitWake() {
        while (!woken) {
            LockSupport.park(this);
        }
        consumeWake();
    }

    /** Accepts a wake: the waker counted this worker as a spinner. */
    void consumeWake() {
        spinning = true;
    }

    /** Called under the dispatcher's idle lock by whoever takes this worker off the parked stack. */
    void markWoken() {
        WOKEN.setVolatile(this, true);
    }

    boolean isWoken() {
        return woken;
    }

    @Override
    public String toString() {
        Thread t = thread;
        return t == null ? "worker" : t.getName();
    }
}
