package dev.weft.runtime;

/**
 * What {@link Component#forEach(Inbox, MessageHandler) forEach} does with each message. It may block
 * (send, ask, I/O); throwing fails the component.
 *
 * @param <T> the type of message handled
 */
@FunctionalInterface
public interface MessageHandler<T> {

    /** Handles one message. */
    void handle(T message) throws Exception;
}
