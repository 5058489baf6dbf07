package dev.weft.actors;

import dev.weft.runtime.Component;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import java.util.List;

/** Test source: sends the given messages, then ProducerFinished on its signal. */
public final class Source<T> extends Component {
    public final Outbox<T> outbox;
    private final List<T> messages;

    public Source(Class<T> type, List<T> messages) {
        this.outbox = outbox("outbox", type);
        this.messages = List.copyOf(messages);
    }

    @Override
    protected void run() throws InterruptedException {
        for (T m : messages) {
            outbox.send(m);
        }
        signal.send(new ProducerFinished(this));
    }
}
