package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Where the answer to one {@link Inbox#ask ask} goes: the asker puts it in its request, the
 * responder calls {@link #reply(Object)} once, from any thread.
 *
 * <pre>{@code
 * record Add(int a, int b, ReplyTo<Integer> replyTo) {}
 *
 * // responder, in its handler or body:
 * add.replyTo().reply(add.a() + add.b());
 *
 * // asker, on any thread:
 * int sum = adder.inbox.ask(replyTo -> new Add(2, 3, replyTo), Duration.ofSeconds(1));
 * }</pre>
 *
 * <p>A reply that comes after the asker stopped waiting (it timed out, was interrupted, or saw the
 * target end) is dropped and counted in {@code weft.ask.late.replies}.
 *
 * @param <R> the type of the answer
 */
public final class ReplyTo<R> {
    /*
     * outcome is null while the asker waits, then changes exactly once, by CAS: to the answer
     * (reply), to an Ended (the target's Terminated arrived first), or to GAVE_UP (the asker timed
     * out or was interrupted). The winner of a reply or Ended CAS unparks the asker, which
     * re-reads outcome after every park. A reply that loses the CAS is late and only counted.
     *
     * Nothing outlives the ask: the ReplyTo watches the target's owner only while the asker
     * waits (removed in a finally), and holds no thread or queue of its own.
     */
    private static final Object GAVE_UP = new Object();
    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(ReplyTo.class, "outcome", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread asker;
    private final Inbox<?> target;
    private volatile Object outcome;

    private ReplyTo(Thread asker, Inbox<?> target) {
        this.asker = asker;
        this.target = target;
    }

    /**
     * Delivers the answer to the asker. A late answer (the asker gave up) is dropped and counted.
     *
     * @throws IllegalStateException if this request was already answered
     */
    public void reply(R answer) {
        Objects.requireNonNull(answer, "answer");
        if (OUTCOME.compareAndSet(this, null, answer)) {
            LockSupport.unpark(asker);
            return;
        }
        if (outcome instanceof Ended || outcome == GAVE_UP) {
            Metrics metrics = target.owner().metrics();
            if (metrics != null) {
                metrics.lateReplies.increment();
            }
            return;
        }
        throw new IllegalStateException("the ask to " + target + " was already answered");
    }

    /** Returns whether the asker still waits for this answer (false once answered or given up). */
    public boolean isPending() {
        return outcome == null;
    }

    @Override
    public String toString() {
        return "ReplyTo[ask to " + target + (isPending() ? ", pending]" : ", done]");
    }

    // ---------------------------------------------------------------- runtime internals

    /** See {@link Inbox#ask}. */
    static <Q, R> R ask(Inbox<Q> target, Function<? super ReplyTo<R>, ? extends Q> request, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(request, "request");
        long deadline = Deadline.after(Objects.requireNonNull(timeout, "timeout"));
        Component owner = target.resolve().owner();
        if (owner.isReceiverThread()) {
            throw owner.waitsForItself("asked its own inbox " + target
                    + " (only it could answer; ask from another component)");
        }
        ReplyTo<R> reply = new ReplyTo<>(Thread.currentThread(), target);
        Watcher watcher = reply::targetEnded;
        owner.addWatcher(watcher);
        try {
            Q message = Objects.requireNonNull(request.apply(reply), "request built a null message");
            try {
                SendPath.deliver(target, message, deadline);
            } catch (InboxClosedException ended) {
                // The owner has ended; its Terminated reaches this watcher, and await reports it.
            } catch (SendTimeoutException full) {
                reply.giveUp();
                throw new AskTimeoutException("no room for the ask in " + target + " within " + timeout
                        + ": " + full.getMessage());
            }
            return reply.await(deadline, timeout);
        } finally {
            owner.removeWatcher(watcher);
        }
    }

    /** Called when the target's owner ends, if the asker still waits. */
    void targetEnded(Terminated news) {
        if (OUTCOME.compareAndSet(this, null, new Ended(news))) {
            LockSupport.unpark(asker);
        }
    }

    private boolean giveUp() {
        return OUTCOME.compareAndSet(this, null, GAVE_UP);
    }

    private R await(long deadline, Duration timeout) throws InterruptedException {
        if (outcome == null) {
            Dispatcher.aboutToBlock();
        }
        for (;;) {
            Object o = outcome;
            if (o != null) {
                return answer(o);
            }
            if (Thread.interrupted()) {
                if (giveUp()) {
                    throw new InterruptedException("interrupted while asking " + target);
                }
                Thread.currentThread().interrupt();
                return answer(outcome);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (giveUp()) {
                    throw new AskTimeoutException("no reply from " + target + " within " + timeout);
                }
                return answer(outcome);
            }
            LockSupport.parkNanos(this, left);
        }
    }

    @SuppressWarnings("unchecked")
    private R answer(Object o) {
        if (o instanceof Ended ended) {
            Terminated news = ended.news();
            throw new AskTargetEndedException("no reply from " + target + ": " + news.component().name()
                    + " ended " + news.state().name().toLowerCase(java.util.Locale.ROOT), news);
        }
        return (R) o;
    }

    private record Ended(Terminated news) {
    }
}
