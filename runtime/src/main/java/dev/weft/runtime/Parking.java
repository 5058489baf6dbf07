package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiver of a thread-style {@link Component}: its body runs on its own virtual thread, which
 * parks while the inboxes it waits on are empty and is unparked by the sender that fills one.
 * {@link Turns} extends it, because a turn whose handler blocks in a receive parks the same way.
 */
class Parking extends Receiver {
    /*
     * Wake-up protocol (shared by every inbox of the component).
     *
     * parkState is RUNNING or PARKED. A receiver that finds its awaited inboxes empty spins briefly,
     * then publishes PARKED with a volatile store, re-checks the inboxes (volatile loads of the
     * queues' producer indices) and only then parks. A sender offers (a CAS on the producer index),
     * then reads parkState; if PARKED it CASes it to RUNNING and unparks the thread. All four
     * accesses are volatile, so they fall in one total order: either the receiver's re-check sees
     * the message, or the sender sees PARKED. No wake-up is lost, and a sender that finds the
     * receiver RUNNING (busy or spinning) makes no unpark call at all.
     *
     * Before parking, the receiver makes 64 plain re-checks (no Thread.onSpinWait(): on the 2-vCPU
     * KVM guests we benchmark on one PAUSE costs 60-450 ns), then yields its carrier twice. On a
     * virtual thread a yield lets the partner that shares the carrier run and answer, which avoids a
     * park/unpark pair: on a quiet machine it doubled median ping-pong round trips (A/B in
     * docs/benchmarks.md); under heavy load the yields cost little because the partner then runs.
     *
     * An unpark may arrive after the receiver already woke for another reason; LockSupport keeps it
     * as a permit and the next park returns at once, which the loop treats as a spurious wake-up.
     *
     * Stop versus spawn. Component.stop() stores stopRequested (volatile), then calls stopping(),
     * which reads thread (volatile); launch() stores thread, then starts it, and the body reads
     * stopRequested before it runs. Either stop() sees the thread and interrupts it (an interrupt
     * before start is kept), or the body sees the flag and ends STOPPED without running: a stop is
     * never lost, whether it comes before spawn or races it.
     */
    private static final byte RUNNING = 0;
    private static final byte PARKED = 1;
    private static final int SPINS_BEFORE_PARK = 64;
    private static final int YIELDS_BEFORE_PARK = 2;
    private static final VarHandle PARK_STATE;

    static {
        try {
            PARK_STATE = MethodHandles.lookup().findVarHandle(Parking.class, "parkState", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Component owner;
    /** The thread that may receive, and that wake() unparks and a stop interrupts. */
    private volatile Thread thread;
    /** RUNNING or PARKED: a byte, so that with Turns' own fields an actor's receiver stays small. */
    private volatile byte parkState;
    /** Null, or the Inbox or Inbox[] the thread is parked on, for diagnostics (see Stalls). */
    private volatile Object awaiting;

    Parking(Component owner) {
        this.owner = owner;
    }

    /** Starts the body on a new virtual thread; a thread that could not be started is forgotten. */
    @Override
    void launch() {
        Thread t = Thread.ofVirtual().unstarted(owner::body);
        thread = t;
        try {
            t.start();
        } catch (RuntimeException | Error e) {
            thread = null;
            throw e;
        }
    }

    @Override
    void wake() {
        if ((byte) PARK_STATE.getVolatile(this) == PARKED && PARK_STATE.compareAndSet(this, PARKED, RUNNING)) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    final boolean isReceiverThread() {
        return Thread.currentThread() == thread;
    }

    /** Interrupts the bound thread, if any. */
    @Override
    void stopping() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Sets the thread that may receive and that {@link #wake()} and a stop reach: a turn binds its
     * worker's thread, and {@code null} between turns.
     */
    final void bind(Thread t) {
        thread = t;
    }

    @Override
    final boolean awaitMessages(Inbox<?> one, Inbox<?>[] many, long deadline) throws InterruptedException {
        if (thread == null) {
            throw new IllegalStateException(owner.name() + " has no thread to wait on; poll instead");
        }
        for (int i = 0; i < SPINS_BEFORE_PARK; i++) {
            if (anyReady(one, many)) {
                return true;
            }
        }
        for (int i = 0; i < YIELDS_BEFORE_PARK; i++) {
            Thread.yield();
            if (anyReady(one, many)) {
                return true;
            }
        }
        awaiting = one != null ? one : many;
        try {
            return park(one, many, deadline);
        } finally {
            awaiting = null;
        }
    }

    private boolean park(Inbox<?> one, Inbox<?>[] many, long deadline) throws InterruptedException {
        PARK_STATE.setVolatile(this, PARKED);
        if (anyReady(one, many)) {
            PARK_STATE.setOpaque(this, RUNNING);
            return true;
        }
        if (Thread.interrupted()) {
            PARK_STATE.setOpaque(this, RUNNING);
            throw new InterruptedException();
        }
        Dispatcher.aboutToBlock();
        if (deadline != Deadline.NONE) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                PARK_STATE.setOpaque(this, RUNNING);
                return false;
            }
            LockSupport.parkNanos(this, left);
        } else {
            LockSupport.park(this);
        }
        PARK_STATE.setOpaque(this, RUNNING);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return true;
    }

    private static boolean anyReady(Inbox<?> one, Inbox<?>[] many) {
        if (one != null) {
            return one.hasMessages();
        }
        for (Inbox<?> box : many) {
            if (box.hasMessages()) {
                return true;
            }
        }
        return false;
    }

    @Override
    Inbox<?>[] awaiting() {
        Object w = awaiting;
        return w instanceof Inbox<?> one ? new Inbox<?>[] {one} : w == null ? NO_INBOXES : ((Inbox<?>[]) w).clone();
    }

    @Override
    final boolean isParked() {
        return (byte) PARK_STATE.getVolatile(this) == PARKED;
    }
}
