package dev.weft.actors.flow;

import dev.weft.runtime.Outbox;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A component that turns each message of its {@link #inbox} into zero or more messages on its
 * {@link #outbox}: the building block of pipelines. It ends on {@link dev.weft.runtime.ProducerFinished}
 * (after handling what is queued and calling {@link #onEndOfInput()}, and passing the news on through
 * {@link #signal}) or on {@link dev.weft.runtime.Shutdown} (passed on too).
 *
 * <pre>{@code
 * final class SplitWords extends Stage<String, String> {
 *     SplitWords() { super(String.class, String.class); }
 *
 *     protected void onMessage(String line) throws InterruptedException {
 *         for (String word : line.split("\\s+")) outbox.send(word);
 *     }
 * }
 * }</pre>
 *
 * @param <I> what the stage takes
 * @param <O> what the stage sends
 */
public abstract class Stage<I, O> extends InputLoop<I> {
    /** Where the stage's results go. */
    public final Outbox<O> outbox;

    /** Creates a stage taking {@code in} and sending {@code out}. */
    protected Stage(Class<I> in, Class<O> out) {
        super(in);
        this.outbox = outbox("outbox", out);
    }

    /** Creates a named stage taking {@code in} and sending {@code out}. */
    protected Stage(String name, Class<I> in, Class<O> out) {
        super(name, in);
        this.outbox = outbox("outbox", out);
    }

    /** Handles one message, sending any results on {@link #outbox}. An exception fails the stage. */
    protected abstract void onMessage(I message) throws Exception;

    /**
     * Called once when the input has finished, so that a stage holding data (a partial frame, a
     * batch, a running total) can send it: after {@link dev.weft.runtime.ProducerFinished} arrived and
     * every message queued before it went through {@link #onMessage}, and before the stage passes the
     * news on and ends. Sends here reach downstream before the {@code ProducerFinished}. Does nothing
     * by default.
     *
     * <p>It is not called when the stage ends otherwise: on {@link dev.weft.runtime.Shutdown} the stage
     * ends at once and what it holds is dropped, like the messages still queued in its inbox; after
     * {@code onMessage} threw, the stage has failed. If this method throws, the stage fails and passes
     * no {@code ProducerFinished} on.
     */
    protected void onEndOfInput() throws Exception {
    }

    @Override
    final void accept(I message) throws Exception {
        onMessage(message);
    }

    @Override
    final void endOfInput() throws Exception {
        onEndOfInput();
    }

    /**
     * Returns a stage that sends {@code f(m)} for each message {@code m}. In a pipeline,
     * {@link Pipeline#from(Class)}{@code .map(f)} infers both types instead.
     */
    public static <I, O> Stage<I, O> map(Class<I> in, Class<O> out, Function<? super I, ? extends O> f) {
        return new MapStage<>(in, out, f);
    }

    /** Returns a stage that passes on the messages that {@code keep} accepts and drops the rest. */
    public static <T> Stage<T, T> filter(Class<T> type, Predicate<? super T> keep) {
        return new FilterStage<>(type, type, keep);
    }

    /**
     * A map stage of a {@link Pipeline.Builder}: its inbox takes {@code Object} and its outbox declares
     * {@code out}, the class of the next step's inbox, because the builder's compiler checks stand for
     * the run-time ones.
     */
    static <I, O> Stage<I, O> chainedMap(Class<?> out, Function<? super I, ? extends O> f) {
        return new MapStage<>(erased(Object.class), erased(out), f);
    }

    /** A filter stage of a {@link Pipeline.Builder}; see {@link #chainedMap}. */
    static <T> Stage<T, T> chainedFilter(Class<?> out, Predicate<? super T> keep) {
        return new FilterStage<>(erased(Object.class), erased(out), keep);
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> erased(Class<?> type) {
        return (Class<T>) type;
    }

    private static final class MapStage<I, O> extends Stage<I, O> {
        private final Function<? super I, ? extends O> f;

        MapStage(Class<I> in, Class<O> out, Function<? super I, ? extends O> f) {
            super(in, out);
            this.f = Objects.requireNonNull(f, "f");
        }

        @Override
        protected void onMessage(I message) throws InterruptedException {
            outbox.send(f.apply(message));
        }
    }

    private static final class FilterStage<T> extends Stage<T, T> {
        private final Predicate<? super T> keep;

        FilterStage(Class<T> in, Class<T> out, Predicate<? super T> keep) {
            super(in, out);
            this.keep = Objects.requireNonNull(keep, "keep");
        }

        @Override
        protected void onMessage(T message) throws InterruptedException {
            if (keep.test(message)) {
                outbox.send(message);
            }
        }
    }
}
