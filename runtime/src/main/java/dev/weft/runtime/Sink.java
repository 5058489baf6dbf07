package dev.weft.runtime;

import java.time.Duration;
import java.util.function.Function;

/**
 * The send-only side of an inbox: what everyone but the inbox's owner holds. A service found in the
 * {@link ServiceRegistry}, a timer's target, a supervisor's child entry and an inbox in another
 * runtime are all sinks. A sink cannot receive, cannot be rewired and does not reveal the component
 * behind it, so holding one gives no power over its owner.
 *
 * <p>Every send to a bounded sink pushes back: {@link #send(Object)} waits for room,
 * {@link #send(Object, Duration)} waits at most a while, and {@link #trySend(Object)} never waits.
 *
 * @param <T> the type of message the sink takes
 */
public interface Sink<T> {

    /**
     * Sends a message, waiting while the sink is full.
     *
     * @throws InterruptedException if the sender is interrupted while it waits
     * @throws InboxClosedException if the receiver has ended
     */
    void send(T message) throws InterruptedException;

    /**
     * Sends a message, waiting at most {@code timeout} for room.
     *
     * @throws SendTimeoutException if the sink stayed full for the whole timeout
     * @throws InterruptedException if the sender is interrupted while it waits
     * @throws InboxClosedException if the receiver has ended
     */
    void send(T message, Duration timeout) throws InterruptedException;

    /**
     * Sends a message if there is room now.
     *
     * @return {@code true} if the message was accepted, {@code false} if the sink is full
     * @throws InboxClosedException if the receiver has ended
     */
    boolean trySend(T message);

    /**
     * Sends a request carrying a {@link ReplyTo} and waits for the answer.
     *
     * @param request builds the message from the {@code ReplyTo} the receiver must answer
     * @param timeout how long to wait for room and then for the answer, together
     * @throws AskTimeoutException if no answer came in time
     * @throws AskTargetEndedException if the receiver ended before it answered
     * @throws InterruptedException if the asker is interrupted while waiting
     */
    <R> R ask(Function<? super ReplyTo<R>, ? extends T> request, Duration timeout) throws InterruptedException;

    /** Returns the type of message this sink takes; sends are checked against it. */
    Class<T> type();
}
