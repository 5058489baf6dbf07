package dev.weft.actors.flow;

import dev.weft.runtime.Inbox;

/**
 * Publishes every message of its {@link #inbox} on the backplane of the given name (starting the
 * backplane if it is not running), in the order received. It ends on
 * {@link dev.weft.runtime.ProducerFinished} or {@link dev.weft.runtime.Shutdown}; the backplane
 * carries on serving others.
 *
 * @param <T> the type of message published
 */
public final class PublishTo<T> extends InputLoop<T> {
    private final String backplane;
    private final Class<T> type;
    private Inbox<T> target;

    /** Publishes to the backplane {@code backplane}, which carries {@code type}. */
    public PublishTo(String backplane, Class<T> type) {
        super(type);
        this.backplane = backplane;
        this.type = type;
    }

    @Override
    void accept(T message) throws InterruptedException {
        if (target == null) {
            target = Backplane.find(runtime(), backplane, type).inbox;
        }
        target.send(message);
    }
}
