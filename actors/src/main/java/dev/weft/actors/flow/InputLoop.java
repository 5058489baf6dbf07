package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;

/**
 * The body of a component that handles each message of one inbox in turn, Kamaelia style: on
 * {@link ProducerFinished} it first handles what is still queued, then calls {@link #endOfInput()},
 * then passes the news on and ends; on {@link Shutdown} it passes that on and ends at once (no
 * {@code endOfInput()}); other signals are passed on. A send
 * refused with {@link InboxClosedException} while a {@code Shutdown} waits in the control inbox
 * (the component downstream obeyed its own first) ends it as that {@code Shutdown} would.
 */
abstract class InputLoop<I> extends Component {
    /** Where messages to handle arrive. */
    public final Inbox<I> inbox;

    InputLoop(String name, Class<I> type) {
        super(name);
        this.inbox = inbox("inbox", type);
    }

    InputLoop(Class<I> type) {
        this.inbox = inbox("inbox", type);
    }

    /** Handles one message. */
    abstract void accept(I message) throws Exception;

    /**
     * Called once when the input has finished: after {@link ProducerFinished} arrived and every
     * message queued before it was handled, before the news is passed on. Does nothing by default.
     */
    void endOfInput() throws Exception {
    }

    /** Passes a signal downstream; by default on {@link #signal}. */
    void passOn(Signal s) throws InterruptedException {
        sendSignal(signal, s);
    }

    @Override
    protected final void run() throws Exception {
        for (;;) {
            Inbox<?> ready = select(inbox, control);
            if (ready == inbox) {
                if (!handle(inbox.poll())) {
                    return;
                }
                continue;
            }
            Signal s = control.poll();
            if (s instanceof ProducerFinished) {
                for (I m = inbox.poll(); m != null; m = inbox.poll()) {
                    if (!handle(m)) {
                        return;
                    }
                }
                if (!finishInput()) {
                    return;
                }
                passOn(new ProducerFinished(this));
                return;
            }
            passOn(s);
            if (s instanceof Shutdown) {
                return;
            }
        }
    }

    /** Handles one message; returns false if a refused send ended the component during its shutdown. */
    private boolean handle(I message) throws Exception {
        try {
            accept(message);
            return true;
        } catch (InboxClosedException refused) {
            return obeyWaitingShutdown(refused);
        }
    }

    /** Runs {@link #endOfInput()}; returns false if a refused send ended the component during its shutdown. */
    private boolean finishInput() throws Exception {
        try {
            endOfInput();
            return true;
        } catch (InboxClosedException refused) {
            return obeyWaitingShutdown(refused);
        }
    }

    /** Returns false after passing on a {@code Shutdown} found waiting; throws {@code refused} if there is none. */
    private boolean obeyWaitingShutdown(InboxClosedException refused) throws InterruptedException {
        for (Signal s = control.poll(); s != null; s = control.poll()) {
            if (s instanceof Shutdown shutdown) {
                passOn(shutdown);
                return false;
            }
        }
        throw refused;
    }

    /** Sends {@code s} on {@code out}, ignoring a receiver that has already ended. */
    static void sendSignal(Outbox<Signal> out, Signal s) throws InterruptedException {
        try {
            out.send(s);
        } catch (InboxClosedException ended) {
            // The component downstream has ended already and needs no more news.
        }
    }
}
