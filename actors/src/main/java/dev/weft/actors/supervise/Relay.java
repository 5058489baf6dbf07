package dev.weft.actors.supervise;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.NotLinkedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import dev.weft.runtime.UnlinkedPolicy;

/**
 * A supervised child's stable entry: forwards its inbox to whichever instance of the child runs now.
 * While no instance runs (between an end and the restart) it leaves messages in its bounded inbox,
 * so senders are pushed back instead of failing. When the child is gone for good the supervisor
 * shuts it down, and its closed inbox refuses senders.
 */
final class Relay<T> extends Component {
    /*
     * The supervisor unlinks the outbox when the instance ends and links it to the next instance,
     * then sends Relinked. The relay takes a message from its inbox only while the outbox is
     * linked, and otherwise waits on its control inbox alone (never in an outbox's wait for a
     * link), so a Shutdown is obeyed at once, during a back-off too.
     *
     * Hand-over: the relay sends the message it took to the instance the outbox targets now. If
     * that instance has ended, the send throws (InboxClosedException, or NotLinkedException once
     * the supervisor has unlinked it) and the message was not accepted; the relay keeps it in hand,
     * waits on its control inbox until the outbox targets another inbox, and sends it again. A send
     * that returned is never repeated, so no message reaches two instances, and a message the relay
     * took is lost only if the relay is shut down while it holds it. Messages already queued in an
     * instance that ends are lost with it (counted as dead letters), as in Erlang.
     *
     * This rests on Inbox's contract that a send throwing InboxClosedException did not deliver the
     * message. Inbox.offer also throws when the owner closes the inbox right after the message went
     * into its queue; if the instance took the message in the few instructions between those two
     * steps and then ended, the relay would send it again. That window belongs to Inbox.offer and is
     * closed there, not here.
     */
    record Relinked() implements Signal {
    }

    final Inbox<T> inbox;
    final Outbox<T> outbox;

    Relay(String name, Class<T> type) {
        super(name);
        this.inbox = inbox("inbox", type);
        this.outbox = outbox("outbox", type, UnlinkedPolicy.FAIL);
    }

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            Inbox<?> ready = outbox.isLinked() ? select(inbox, control) : control;
            if (ready == inbox) {
                if (!deliver(inbox.poll())) {
                    return;
                }
            } else if (control.receive() instanceof Shutdown) {
                return;
            }
        }
    }

    /** Hands {@code message} to the current instance, waiting for one if needed; false if shut down first. */
    private boolean deliver(T message) throws InterruptedException {
        for (;;) {
            Sink<? super T> target = outbox.target();
            if (target != null) {
                try {
                    outbox.send(message);
                    return true;
                } catch (InboxClosedException | NotLinkedException ended) {
                    // That instance ended without taking the message: keep it for the next one.
                }
            }
            if (!awaitRetarget(target)) {
                return false;
            }
        }
    }

    /** Waits on the control inbox until the outbox targets an inbox other than {@code old}; false on Shutdown. */
    private boolean awaitRetarget(Sink<?> old) throws InterruptedException {
        for (Sink<?> now = outbox.target(); now == null || now == old; now = outbox.target()) {
            if (control.receive() instanceof Shutdown) {
                return false;
            }
        }
        return true;
    }
}
