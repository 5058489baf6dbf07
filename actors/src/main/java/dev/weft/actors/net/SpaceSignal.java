package dev.weft.actors.net;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;

/**
 * How a component that must never park on a full inbox sends: it tries, and when the inbox
 * downstream is full it leaves this callback there ({@link Inbox#onSpace}) and keeps the message;
 * the callback wakes the component through its own {@code space} inbox (capacity 1) when a slot
 * frees, and the component tries again. Nothing polls.
 *
 * <p>The callback runs on the downstream receiver's thread. It may stay at an idle downstream inbox
 * long after the component ended, so the component lets go of it then ({@link #release()}).
 */
final class SpaceSignal implements Runnable {
    private volatile Inbox<Boolean> space;

    SpaceSignal(Inbox<Boolean> space) {
        this.space = space;
    }

    /**
     * Sends {@code message} if the inbox downstream has room; otherwise asks to be told when it has
     * and returns false (the caller keeps the message and offers it again when told).
     */
    <T> boolean offer(Outbox<T> outbox, T message) {
        if (outbox.trySend(message)) {
            return true;
        }
        if (outbox.target() instanceof Inbox<? super T> downstream) {
            downstream.onSpace(this);
        }
        return outbox.trySend(message);
    }

    @Override
    public void run() {
        Inbox<Boolean> s = space;
        if (s != null) {
            try {
                s.trySend(Boolean.TRUE);
            } catch (InboxClosedException ownerEnded) {
                // nothing to wake
            }
        }
    }

    void release() {
        space = null;
    }
}
