package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import java.util.List;

/**
 * Children in a chain: each child's {@code outbox} is linked to the next child's {@code inbox}, and
 * each {@code signal} to the next {@code control}. The pipeline's own {@link #inbox} passes through
 * to the first child's inbox and the last child's {@code outbox} and {@code signal} pass through to
 * the pipeline's {@link #outbox} and {@link #signal()}, so a pipeline is used like any component.
 *
 * <pre>{@code
 * Pipeline<String, Integer> lengths = Pipeline.of(String.class, Integer.class,
 *         Stage.filter(String.class, s -> !s.isBlank()),
 *         Stage.map(String.class, Integer.class, String::length));
 * weft.spawn(lengths);
 * lengths.inbox.send("hello");
 * }</pre>
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
        relaySignalsTo(first.control());
        for (int i = 0; i + 1 < children.size(); i++) {
            Component from = children.get(i);
            Component to = children.get(i + 1);
            Boxes.linkUnchecked(from.findOutbox("outbox"), to.findInbox("inbox"));
            from.signal().linkTo(to.control());
        }
        Boxes.passThroughUnchecked(lastOut, outbox);
        last.signal().passThrough(signal());
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
}
