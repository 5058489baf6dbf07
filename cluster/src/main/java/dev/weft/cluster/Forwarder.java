package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;

/**
 * Carries an outbox's messages to a sink the runtime cannot link to directly (an inbox in another
 * runtime). Its inbox is linked from the outbox; it sends each message on to the sink, so the
 * sink's back-pressure reaches the outbox through this inbox. It ends when the link breaks (the
 * sender hears {@link LinkBroken} from {@link Cluster#link}), on {@link Shutdown}, or on
 * {@link ProducerFinished} once its inbox is empty.
 */
final class Forwarder<T> extends Component {
    final Inbox<T> in;
    private final Sink<T> target;

    Forwarder(String name, Class<T> type, Sink<T> target) {
        super(name);
        this.in = inbox("in", type);
        this.target = target;
    }

    @Override
    protected void run() throws InterruptedException {
        boolean finishing = false;
        while (true) {
            T message = in.poll();
            if (message != null) {
                try {
                    target.send(message);
                } catch (LinkBrokenException broken) {
                    return; // the sender has been told (LinkBroken); this message is lost with the link
                }
                continue;
            }
            if (finishing) {
                return;
            }
            if (select(in, control) == control) {
                Signal s = control.poll();
                if (s instanceof Shutdown) {
                    return;
                }
                finishing = s instanceof ProducerFinished;
            }
        }
    }
}
