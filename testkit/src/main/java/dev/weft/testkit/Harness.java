package dev.weft.testkit;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.SendTimeoutException;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Runs one component against fake boxes: every outbox ({@code signal} included) is linked to its
 * own {@link Probe} before the component starts, and the test feeds its inboxes directly.
 *
 * <pre>{@code
 * Harness<Doubler> h = Harness.spawn(weft, new Doubler());
 * h.feed(h.component().inbox, 1, 2, 3);
 * assertThat(h.probe(h.component().outbox).receiveN(3)).containsExactly(2, 4, 6);
 * h.component().shutdown();
 * assertThat(h.awaitEnd().state()).isEqualTo(ComponentState.FINISHED);
 * }</pre>
 *
 * @param <C> the component's type
 */
public final class Harness<C extends Component> {
    private final C component;
    private final Map<Outbox<?>, Probe<?>> probes = new IdentityHashMap<>();

    private Harness(C component) {
        this.component = component;
    }

    /**
     * Links every outbox of {@code component} to a new probe (replacing any link it had), then spawns
     * the component in {@code weft}.
     */
    public static <C extends Component> Harness<C> spawn(Weft weft, C component) {
        Harness<C> harness = new Harness<>(component);
        for (Outbox<?> out : component.outboxes()) {
            harness.probes.put(out, capture(weft, out));
        }
        weft.spawn(component);
        return harness;
    }

    private static <T> Probe<T> capture(Weft weft, Outbox<T> out) {
        Probe<T> probe = Probe.spawn(weft, out + ".probe", out.type());
        out.linkTo(probe.inbox);
        return probe;
    }

    /** Returns the component under test. */
    public C component() {
        return component;
    }

    /** Returns the probe that captures what {@code outbox} sends. */
    @SuppressWarnings("unchecked")
    public <T> Probe<T> probe(Outbox<T> outbox) {
        Probe<?> probe = probes.get(outbox);
        if (probe == null) {
            throw new IllegalArgumentException(outbox + " is not an outbox of " + component.name());
        }
        return (Probe<T>) probe;
    }

    /** Returns the probe that captures the component's {@code signal} outbox. */
    public Probe<Signal> signals() {
        return probe(component.signal);
    }

    /**
     * Sends {@code messages} into {@code inbox} of the component, in order, each waiting up to
     * {@link Probe#DEFAULT_TIMEOUT} for space.
     *
     * @throws AssertionError if the inbox stays full that long or the component has ended
     */
    @SafeVarargs
    public final <T> Harness<C> feed(Inbox<T> inbox, T... messages) {
        if (!inbox.isOwnedBy(component)) {
            throw new IllegalArgumentException(inbox + " is not an inbox of " + component.name());
        }
        try {
            for (T m : messages) {
                inbox.send(m, Probe.DEFAULT_TIMEOUT);
            }
        } catch (SendTimeoutException | InboxClosedException e) {
            throw new AssertionError("could not feed " + inbox + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while feeding " + inbox, e);
        }
        return this;
    }

    /**
     * Waits up to {@link Probe#DEFAULT_TIMEOUT} for the component to end and returns how it ended.
     *
     * @throws AssertionError if it is still running
     */
    public Terminated awaitEnd() {
        try {
            return component.join(Probe.DEFAULT_TIMEOUT);
        } catch (TimeoutException e) {
            throw new AssertionError(component.name() + " did not end within " + Probe.DEFAULT_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + component.name(), e);
        }
    }
}
