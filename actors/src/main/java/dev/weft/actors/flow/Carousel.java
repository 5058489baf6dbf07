package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.UnlinkedPolicy;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs one child at a time, made by a factory, and replaces it when a message arrives on
 * {@link #next} (Kamaelia's Carousel). The carousel's {@link #inbox} passes through to the current
 * child's {@code inbox} and the child's {@code outbox} passes through to the carousel's
 * {@link #outbox}, so whoever is linked to the carousel never needs relinking.
 *
 * <pre>{@code
 * Carousel<String, String, String> files = Carousel.of(String.class, String.class, String.class,
 *         path -> new FileLines(path), "first.txt");
 * files.next.send("second.txt");   // retires the first reader and starts the second
 * }</pre>
 *
 * <p>Replacement: the carousel makes the new child and points {@link #inbox} at it first, so every
 * later message waits for the new child; then it shuts the old child down and waits for it to end
 * (messages still queued in the old child's inbox end with it, counted as dead letters); then it
 * spawns the new child. The old child's output therefore all comes before the new child's.
 *
 * <p>A "next" for which the factory throws, or makes a child whose boxes do not fit, is logged and
 * ignored: the current child keeps running.
 *
 * <p>When the current child ends by itself its {@link Terminated} is sent on {@link #finished}
 * (discarded while unlinked): link it back to {@link #next} through a map to run a playlist.
 * Signals other than {@link Shutdown} are passed to the current child's control. {@code Shutdown}
 * shuts the current child down and ends the carousel once it has ended.
 *
 * @param <N> what a "next" message carries, the factory's input
 * @param <I> what the carousel's inbox takes
 * @param <O> what the carousel's outbox sends
 */
public final class Carousel<N, I, O> extends Component {
    private static final System.Logger LOG = System.getLogger(Carousel.class.getName());
    /** Each message here replaces the current child with {@code factory.apply(message)}. */
    public final Inbox<N> next;
    /** Passes through to the current child's {@code inbox}. */
    public final Inbox<I> inbox;
    /** What the current child's {@code outbox} sends comes out here. */
    public final Outbox<O> outbox;
    /** Gets each child's {@link Terminated} when it ends by itself rather than being replaced. */
    public final Outbox<Terminated> finished;

    private final Function<? super N, ? extends Component> factory;
    private final ArrayDeque<Signal> deferred = new ArrayDeque<>();
    private volatile Component current;
    private boolean stopping;

    private Carousel(Class<N> nextType, Class<I> in, Class<O> out, Function<? super N, ? extends Component> factory,
            N first) {
        this.next = inbox("next", nextType);
        this.inbox = inbox("inbox", in);
        this.outbox = outbox("outbox", out);
        this.finished = outbox("finished", Terminated.class, UnlinkedPolicy.DISCARD);
        this.factory = Objects.requireNonNull(factory, "factory");
        this.current = make(first);
    }

    /**
     * Builds a carousel whose first child is {@code factory.apply(first)}.
     *
     * @throws IllegalArgumentException if that child's {@code inbox} or {@code outbox} does not fit
     */
    public static <N, I, O> Carousel<N, I, O> of(Class<N> nextType, Class<I> in, Class<O> out,
            Function<? super N, ? extends Component> factory, N first) {
        return new Carousel<>(nextType, in, out, factory, first);
    }

    /** Returns the child running now. */
    public Component current() {
        return current;
    }

    @Override
    protected void run() throws InterruptedException {
        spawn(current);
        try {
            while (!stopping || current != null) {
                if (!deferred.isEmpty()) {
                    handle(deferred.poll());
                    continue;
                }
                if (!stopping && select(next, control) == next) {
                    replace(next.poll());
                } else {
                    handle(control.receive());
                }
            }
        } finally {
            if (current != null) {
                current.stop();
            }
        }
    }

    private void handle(Signal s) throws InterruptedException {
        if (s instanceof Terminated t) {
            if (t.component() == current) {
                current = null;
                try {
                    finished.send(t);
                } catch (InboxClosedException ended) {
                    // Nobody listens for ends any more.
                }
            }
        } else if (s instanceof Shutdown) {
            stopping = true;
            if (current != null) {
                current.shutdown();
            }
        } else if (current != null) {
            try {
                current.control.send(s);
            } catch (InboxClosedException ended) {
                // Its Terminated is on the way.
            }
        }
    }

    private void replace(N key) throws InterruptedException {
        Component old = current;
        Component fresh;
        try {
            fresh = make(key);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, name() + " keeps its current child: cannot make one for " + key, e);
            return;
        }
        current = fresh;
        if (old != null) {
            old.shutdown();
            awaitEnd(old);
        }
        spawn(fresh);
    }

    /** Waits for {@code old} to end, keeping the other signals for later. */
    private void awaitEnd(Component old) throws InterruptedException {
        for (;;) {
            Signal s = control.receive();
            if (s instanceof Terminated t && t.component() == old) {
                return;
            }
            deferred.add(s);
        }
    }

    /** Makes a child, checks its boxes and points the pass-throughs at it. */
    private Component make(N key) {
        Component child = Objects.requireNonNull(factory.apply(key), "the factory returned no component");
        Inbox<?> childIn = Boxes.requireInbox(child, "inbox");
        Outbox<?> childOut = Boxes.requireOutbox(child, "outbox");
        if (!childIn.type().isAssignableFrom(inbox.type())) {
            throw new IllegalArgumentException("the carousel takes " + inbox.type().getName() + " but "
                    + child.name() + " takes " + childIn.type().getName());
        }
        if (!outbox.type().isAssignableFrom(childOut.type())) {
            throw new IllegalArgumentException("the carousel sends " + outbox.type().getName() + " but "
                    + child.name() + " sends " + childOut.type().getName());
        }
        Boxes.passThroughUnchecked(inbox, childIn);
        Boxes.passThroughUnchecked(childOut, outbox);
        return child;
    }
}
