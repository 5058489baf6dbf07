package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import java.util.stream.Collectors;

/**
 * Typed look-up of a component's boxes by name, with errors that say what exists instead.
 *
 * <pre>{@code
 * Inbox<String> in = Boxes.inbox(graphline, "inbox", String.class);
 * }</pre>
 */
public final class Boxes {
    private Boxes() {
    }

    /**
     * Returns the inbox {@code name} of {@code component}, checked to take {@code type}.
     *
     * @throws IllegalArgumentException if there is no such inbox or it does not take {@code type}
     */
    @SuppressWarnings("unchecked")
    public static <T> Inbox<T> inbox(Component component, String name, Class<T> type) {
        Inbox<?> box = requireInbox(component, name);
        if (!box.type().isAssignableFrom(type)) {
            throw new IllegalArgumentException(box + " takes " + box.type().getName() + ", not " + type.getName());
        }
        return (Inbox<T>) box;
    }

    /**
     * Returns the outbox {@code name} of {@code component}, checked to send {@code type} or a subtype.
     *
     * @throws IllegalArgumentException if there is no such outbox or it sends something else
     */
    @SuppressWarnings("unchecked")
    public static <T> Outbox<T> outbox(Component component, String name, Class<T> type) {
        Outbox<?> box = requireOutbox(component, name);
        if (!type.isAssignableFrom(box.type())) {
            throw new IllegalArgumentException(box + " sends " + box.type().getName() + ", not " + type.getName());
        }
        return (Outbox<T>) box;
    }

    static Inbox<?> requireInbox(Component component, String name) {
        return requireInbox(component, component.name(), name);
    }

    /** Like {@link #requireInbox(Component, String)}, naming the component {@code called} in the error. */
    static Inbox<?> requireInbox(Component component, String called, String name) {
        Inbox<?> box = component.findInbox(name);
        if (box == null) {
            throw new IllegalArgumentException(called + " has no inbox '" + name + "'; its inboxes are "
                    + component.inboxes().stream().map(Inbox::name).collect(Collectors.joining(", ")));
        }
        return box;
    }

    static Outbox<?> requireOutbox(Component component, String name) {
        return requireOutbox(component, component.name(), name);
    }

    /** Like {@link #requireOutbox(Component, String)}, naming the component {@code called} in the error. */
    static Outbox<?> requireOutbox(Component component, String called, String name) {
        Outbox<?> box = component.findOutbox(name);
        if (box == null) {
            throw new IllegalArgumentException(called + " has no outbox '" + name + "'; its outboxes are "
                    + component.outboxes().stream().map(Outbox::name).collect(Collectors.joining(", ")));
        }
        return box;
    }

    /** Links two boxes whose types were checked by the caller. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void linkUnchecked(Outbox<?> from, Inbox<?> to) {
        ((Outbox) from).linkTo(to);
    }

    /** Passes an outer inbox through to an inner one whose types were checked by the caller. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void passThroughUnchecked(Inbox<?> outer, Inbox<?> inner) {
        ((Inbox) outer).passThrough(inner);
    }

    /** Passes an inner outbox through to an outer one whose types were checked by the caller. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void passThroughUnchecked(Outbox<?> inner, Outbox<?> outer) {
        ((Outbox) inner).passThrough(outer);
    }
}
