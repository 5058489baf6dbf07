package dev.weft.runtime;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The receiver of a {@link Bridge}: no thread of its own. A thread outside Weft drains it inside a
 * consumer section, and a send tells the integrator, through the bridge's hook, once per transition
 * from "drained" to "has messages", never again until the integrator has drained.
 */
final class EdgeTriggered extends Receiver {
    /*
     * Who may drain: `consumer` holds the thread inside the bridge's poll, drain or an ending (CAS
     * null -> me, reset on the way out; Bridge decides on re-entry by the same thread). It makes
     * misuse loud and lets a drain move from thread to thread of an executor, since a drain
     * releases it before re-arming. Inbox.poll() asks isReceiverThread(), which answers "the
     * current consumer", so the inboxes themselves refuse anyone else.
     *
     * When to call the hook: one word, ARMED or FIRED.
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
    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final VarHandle TRIGGER;
    private static final VarHandle CONSUMER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TRIGGER = lookup.findVarHandle(EdgeTriggered.class, "trigger", int.class);
            CONSUMER = lookup.findVarHandle(EdgeTriggered.class, "consumer", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Bridge<?> bridge;
    private volatile int trigger = ARMED;
    private volatile Thread consumer;

    EdgeTriggered(Bridge<?> bridge) {
        this.bridge = bridge;
    }

    /** No thread to start: the integrator receives. The bridge carries out an end asked for before the spawn. */
    @Override
    void launch() {
        bridge.launched();
    }

    /** Sender side, after a successful offer: runs the hook if this delivery fired the trigger. */
    @Override
    void wake() {
        if ((int) TRIGGER.getVolatile(this) == ARMED && TRIGGER.compareAndSet(this, ARMED, FIRED)) {
            try {
                bridge.hook().run();
            } catch (RuntimeException | Error e) {
                TRIGGER.setVolatile(this, ARMED);          // the next delivery tries the hook again
                LOG.log(Level.ERROR, "wake-up hook of bridge " + bridge.name() + " threw", e);
            }
        }
    }

    @Override
    boolean isReceiverThread() {
        return consumer == Thread.currentThread();
    }

    @Override
    boolean awaitMessages(Inbox<?> one, Inbox<?>[] many, long deadline) {
        throw new IllegalStateException(bridge.name() + " has no thread to wait on; poll instead");
    }

    /** Nothing to interrupt: a bridge's stop() ends it through its consumer section instead. */
    @Override
    void stopping() {
    }

    /** Returns the thread inside the consumer section, or null. */
    Thread consumer() {
        return consumer;
    }

    /** Enters the consumer section if it is free; returns whether {@code me} entered. */
    boolean enter(Thread me) {
        return CONSUMER.compareAndSet(this, null, me);
    }

    /** Leaves the consumer section. */
    void leave() {
        CONSUMER.setVolatile(this, null);
    }

    /**
     * Consumer side, after it found every queue empty and left the section: arms the trigger and
     * looks once more.
     *
     * @return true if messages arrived meanwhile and the caller took the trigger back (it must keep
     *     draining); false if the trigger is armed or a sender has already fired it
     */
    boolean rearm() {
        TRIGGER.setVolatile(this, ARMED);
        return (bridge.inbox.hasMessages() || bridge.control.hasMessages())
                && TRIGGER.compareAndSet(this, ARMED, FIRED);
    }
}
