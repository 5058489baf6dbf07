package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.TypeRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Children in a chain: each child's {@code outbox} is linked to the next child's {@code inbox}, and
 * each {@code signal} to the next {@code control}. The pipeline's own {@link #inbox} passes through
 * to the first child's inbox and the last child's {@code outbox} and {@code signal} pass through to
 * the pipeline's {@link #outbox} and {@link #signal}, so a pipeline is used like any component.
 *
 * <pre>{@code
 * Pipeline<String, Integer> lengths = Pipeline.from(String.class)
 *         .map(String::strip)
 *         .filter(s -> !s.isEmpty())
 *         .map(String::length)
 *         .build(Integer.class);
 * weft.spawn(lengths);
 * lengths.inbox.send("hello");
 * }</pre>
 *
 * <p>Two ways to build one. {@link #from(Class)} starts a {@link Builder} on which the compiler
 * checks every step: each step takes what the one before sends, and the pipeline's type follows.
 * {@link #of(Class, Class, Component...)} takes any components with an {@code inbox} and an
 * {@code outbox} and checks their types when the pipeline is built, at run time.
 *
 * <p>The children are spawned as the pipeline's children when it is spawned. A
 * {@link dev.weft.runtime.ProducerFinished} sent to the pipeline's control goes to the first child
 * and flows down the chain; a {@link dev.weft.runtime.Shutdown} goes to every child. The pipeline
 * ends when all its children have ended; if one fails, the others are shut down and the pipeline
 * fails with {@link ChildFailedException}.
 *
 * @param <I> what the pipeline's inbox takes
 * @param <O> what the pipeline's outbox sends
 */
public final class Pipeline<I, O> extends Composite {
    /** Passes through to the first child's {@code inbox}. */
    public final Inbox<I> inbox;
    /** What the last child's {@code outbox} sends comes out here. */
    public final Outbox<O> outbox;

    private Pipeline(String name, Class<I> in, Class<O> out, List<Component> children) {
        super(name, "pipeline", children);
        if (children.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one child");
        }
        this.inbox = inbox("inbox", in);
        this.outbox = outbox("outbox", out);
        Component first = children.get(0);
        Inbox<?> firstIn = Boxes.requireInbox(first, "inbox");
        if (!firstIn.type().isAssignableFrom(in)) {
            throw new IllegalArgumentException("the pipeline takes " + in.getName() + " but its first child "
                    + first.name() + " takes " + firstIn.type().getName());
        }
        for (int i = 0; i + 1 < children.size(); i++) {
            Component from = children.get(i);
            Component to = children.get(i + 1);
            Outbox<?> sends = Boxes.requireOutbox(from, "outbox");
            Inbox<?> takes = Boxes.requireInbox(to, "inbox");
            if (!takes.type().isAssignableFrom(sends.type())) {
                throw new IllegalArgumentException("pipeline child " + i + " (" + from.name() + ") sends "
                        + sends.type().getName() + " but child " + (i + 1) + " (" + to.name() + ") takes "
                        + takes.type().getName());
            }
        }
        Component last = children.get(children.size() - 1);
        Outbox<?> lastOut = Boxes.requireOutbox(last, "outbox");
        if (!out.isAssignableFrom(lastOut.type())) {
            throw new IllegalArgumentException("the pipeline sends " + out.getName() + " but its last child "
                    + last.name() + " sends " + lastOut.type().getName());
        }
        Boxes.passThroughUnchecked(inbox, firstIn);
        relaySignalsTo(first.control);
        for (int i = 0; i + 1 < children.size(); i++) {
            Component from = children.get(i);
            Component to = children.get(i + 1);
            Boxes.linkUnchecked(from.findOutbox("outbox"), to.findInbox("inbox"));
            from.signal.linkTo(to.control);
        }
        Boxes.passThroughUnchecked(lastOut, outbox);
        last.signal.passThrough(signal);
    }

    /**
     * Builds a pipeline of {@code children}, checking that each child's {@code outbox} sends what
     * the next child's {@code inbox} takes, that the first child takes {@code in} and that the last
     * child sends {@code out}.
     *
     * @throws IllegalArgumentException naming the offending child and box when the chain does not fit
     */
    public static <I, O> Pipeline<I, O> of(Class<I> in, Class<O> out, Component... children) {
        return new Pipeline<>(null, in, out, List.of(children));
    }

    /** Like {@link #of(Class, Class, Component...)}, with a name for logs and errors. */
    public static <I, O> Pipeline<I, O> named(String name, Class<I> in, Class<O> out, Component... children) {
        return new Pipeline<>(name, in, out, List.of(children));
    }

    /** Starts a pipeline whose inbox takes {@code in}; add steps and {@link Builder#build()} it. */
    public static <I> Builder<I, I> from(Class<I> in) {
        return new Builder<>(null, Objects.requireNonNull(in, "in"), List.of(), in, new AtomicBoolean());
    }

    /** Starts a pipeline whose inbox takes a generic type, e.g. {@code from(new TypeRef<List<String>>() {})}. */
    public static <I> Builder<I, I> from(TypeRef<I> in) {
        return from(in.rawType());
    }

    /**
     * Builds a pipeline step by step, with the compiler checking that each step takes what the one
     * before sends: {@code I} is what the pipeline takes, {@code O} what its last step sends so far.
     * A stage whose input does not fit does not compile.
     *
     * <pre>{@code
     * Pipeline<byte[], Integer> lengths = Pipeline.from(byte[].class)
     *         .then(Framing.lines(4096).decoder())      // a Stage<byte[], String>
     *         .filter(line -> !line.isBlank())
     *         .then(new WordCount())                    // a Stage<String, Integer> of your own
     *         .build();
     * }</pre>
     *
     * <p>{@link #map} and {@link #filter} become stages of their own. Since the compiler has checked
     * their types and Java erases a lambda's, their boxes carry the classes of their neighbours, or
     * {@code Object.class} between two of them: links check classes at run time, and nothing else
     * needs them. Only the pipeline's own boxes need their real classes (a link from outside checks
     * them): the inbox's is given to {@link Pipeline#from(Class)}, and the outbox's comes from the last
     * step, or from {@link #build(Class)} when that step is a {@code map}.
     *
     * <p>Each step returns a new builder; a chain builds one pipeline, because its stages are
     * components that belong to one parent. A second {@code build} on any builder of the chain is
     * refused.
     *
     * @param <I> what the pipeline takes
     * @param <O> what the last step so far sends
     */
    public static final class Builder<I, O> {
        /** A step: a component given, or one made once its outbox's class is known (map, filter). */
        private record Step(Component given, Function<Class<?>, Component> make) {
        }

        private final String name;
        private final Class<I> in;
        private final List<Step> steps;
        /** The class of what the last step sends, or null when Java erased it (after a map). */
        private final Class<?> known;
        private final AtomicBoolean built;

        private Builder(String name, Class<I> in, List<Step> steps, Class<?> known, AtomicBoolean built) {
            this.name = name;
            this.in = in;
            this.steps = steps;
            this.known = known;
            this.built = built;
        }

        /** Names the pipeline, for logs and errors. */
        public Builder<I, O> named(String pipelineName) {
            return new Builder<>(Objects.requireNonNull(pipelineName, "name"), in, steps, known, built);
        }

        /** Adds a stage that sends {@code f(m)} for each message {@code m}. */
        public <R> Builder<I, R> map(Function<? super O, ? extends R> f) {
            Objects.requireNonNull(f, "f");
            return add(new Step(null, out -> Stage.<O, R>chainedMap(out, f)), null);
        }

        /** Adds a stage that passes on the messages {@code keep} accepts and drops the rest. */
        public Builder<I, O> filter(Predicate<? super O> keep) {
            Objects.requireNonNull(keep, "keep");
            return add(new Step(null, out -> Stage.<O>chainedFilter(out, keep)), known);
        }

        /** Adds {@code stage}, which must take what the last step sends. */
        public <R> Builder<I, R> then(Stage<? super O, R> stage) {
            return add(new Step(Objects.requireNonNull(stage, "stage"), null), stage.outbox.type());
        }

        /** Adds {@code pipeline} as one step, which must take what the last step sends. */
        public <R> Builder<I, R> then(Pipeline<? super O, R> pipeline) {
            return add(new Step(Objects.requireNonNull(pipeline, "pipeline"), null), pipeline.outbox.type());
        }

        /**
         * Builds the pipeline; its outbox declares the class of what the last step sends.
         *
         * @throws IllegalStateException if the last step is a {@code map}, whose result class Java
         *     erases (use {@link #build(Class)}), or the chain was built before
         */
        public Pipeline<I, O> build() {
            if (known == null) {
                throw new IllegalStateException("the last step of " + (name != null ? name : "this pipeline")
                        + " is a map, and Java erases the class of what a lambda returns: name it with build(Result.class)");
            }
            @SuppressWarnings("unchecked")
            Class<O> out = (Class<O>) known;
            return build(out);
        }

        /** Builds the pipeline with an outbox declaring {@code out}. */
        public Pipeline<I, O> build(Class<O> out) {
            Objects.requireNonNull(out, "out");
            if (!built.compareAndSet(false, true)) {
                throw new IllegalStateException("this chain of Pipeline.from(" + in.getName() + ") has built its pipeline"
                        + " already, and its stages belong to it; start a new chain for another pipeline");
            }
            List<Component> children = new ArrayList<>(steps.size());
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                if (step.given() != null) {
                    children.add(step.given());
                    continue;
                }
                Component next = i + 1 < steps.size() ? steps.get(i + 1).given() : null;
                Class<?> sends = i + 1 == steps.size() ? out
                        : next != null ? Boxes.requireInbox(next, "inbox").type()
                        : Object.class;
                children.add(step.make().apply(sends));
            }
            return new Pipeline<>(name, in, out, children);
        }

        /** Builds the pipeline with an outbox declaring a generic type. */
        public Pipeline<I, O> build(TypeRef<O> out) {
            return build(out.rawType());
        }

        private <R> Builder<I, R> add(Step step, Class<?> sends) {
            List<Step> more = new ArrayList<>(steps);
            more.add(step);
            return new Builder<>(name, in, List.copyOf(more), sends, built);
        }
    }
}
