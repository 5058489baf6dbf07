package dev.weft.actors.supervise;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.UnlinkedPolicy;

/**
 * A supervised child's stable entry: forwards its inbox to whichever instance of the child runs now.
 * While no instance runs (between an end and the restart) it holds the message and its inbox fills
 * up, so senders are pushed back instead of failing.
 */
final class Relay<T> extends Component {
    /*
     * The supervisor unlinks the outbox when the instance ends and links it to the next instance,
     * then sends Relinked. A send that raced with the end fails with InboxClosedException and the
     * message was not accepted anywhere, so the relay waits until the link moves off the dead inbox
     * (Relinked, or an unlink, wakes it) and sends the same message again: nothing the relay took is
     * lost. Messages already in the dead instance's inbox end with it.
     */
    record Relinked() implements Signal {
    }

    final Inbox<T> inbox;
    final Outbox<T> outbox;

    Relay(String name, Class<T> type) {
        super(name);
        this.inbox = inbox("inbox", type);
        this.outbox = outbox("outbox", type, UnlinkedPolicy.WAIT);
    }

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            if (select(inbox, control()) == inbox) {
                if (!deliver(inbox.poll())) {
                    return;
                }
            } else if (control().poll() instanceof Shutdown) {
                return;
            }
        }
    }

    /** Delivers to the current instance; returns false if shut down first. */
    private boolean deliver(T message) throws InterruptedException {
        for (;;) {
            Inbox<? super T> target = outbox.target();
            try {
                outbox.send(message);
                return true;
            } catch (InboxClosedException ended) {
                while (outbox.target() == target) {
                    if (control().receive() instanceof Shutdown) {
                        return false;
                    }
                }
            }
        }
    }
}
