package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;

/**
 * The edge-triggered wake-up of a receiver that holds no thread: it tells the receiver's side once
 * per transition from "drained" to "has messages", never again until that side has drained.
 *
 * <p>A {@link Bridge} uses it to call its integrator's hook; a handler-style actor would use it to
 * schedule one turn at a time.
 */
final class EdgeTrigger {
    /*
     * One word, ARMED or FIRED.
     *
     * ARMED: the consumer has seen every watched queue empty since the last firing. The next sender
     *   to deliver wins the CAS ARMED -> FIRED and runs the hook, exactly once.
     * FIRED: the hook has run (or the consumer took the trigger back, see below) and the consumer
     *   still owes a drain. Senders read FIRED and do nothing: no hook call, no CAS, no fence.
     *
     * Re-arming is the consumer's last act of a drain: it stores ARMED (volatile), then looks at
     * the queues again (volatile loads of their producer indices). A sender offers (a CAS on the
     * producer index), then reads the word (volatile). All four accesses are in one total order, so
     * either the consumer's second look sees the message, or the sender sees ARMED and fires: a
     * message that arrives during a drain is never stranded. If the second look sees a message, the
     * consumer tries CAS ARMED -> FIRED itself: if it wins, it owns the drain again and keeps going
     * without a hook call; if it loses, a sender has fired and the hook will call it back.
     *
     * The consumer gives up the right to drain before it stores ARMED, so the drain the hook
     * starts next (possibly on another thread of an executor) never overlaps the one ending.
     */
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(EdgeTrigger.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = ARMED;

    /** Sender side, after a successful offer: returns true if the caller must run the hook now. */
    boolean fire() {
        return (int) STATE.getVolatile(this) == ARMED && STATE.compareAndSet(this, ARMED, FIRED);
    }

    /**
     * Consumer side, after it found every queue empty and gave up the right to drain: arms the
     * trigger and looks once more.
     *
     * @return true if messages arrived meanwhile and the caller took the trigger back (it must keep
     *     draining); false if the trigger is armed or a sender has already fired it
     */
    boolean rearm(BooleanSupplier anyMessages) {
        STATE.setVolatile(this, ARMED);
        return anyMessages.getAsBoolean() && STATE.compareAndSet(this, ARMED, FIRED);
    }

    /** Undoes a firing whose hook failed, so that the next delivery tries the hook again. */
    void disarmFailedFiring() {
        STATE.setVolatile(this, ARMED);
    }
}
