package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Signal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named children wired by a linkage table, Kamaelia's Graphline. The name {@value #SELF} stands for
 * the graphline itself: a link from one of its inboxes passes that inbox through to a child's inbox,
 * and a link to one of its outboxes passes a child's outbox through to it.
 *
 * <pre>{@code
 * Graphline words = Graphline.builder()
 *         .inbox("inbox", String.class)
 *         .outbox("outbox", String.class)
 *         .child("split", new SplitWords())
 *         .child("upper", Stage.map(String.class, String.class, String::toUpperCase))
 *         .link("self", "inbox", "split", "inbox")
 *         .link("split", "outbox", "upper", "inbox")
 *         .link("upper", "outbox", "self", "outbox")
 *         .link("self", "control", "split", "control")
 *         .link("split", "signal", "upper", "control")
 *         .link("upper", "signal", "self", "signal")
 *         .build();
 * }</pre>
 *
 * <p>The table is checked when the graphline is built: an unknown child, an unknown box, a type
 * that does not fit, or an outbox linked twice is an {@link IllegalArgumentException} naming it.
 *
 * <p>Signals: the graphline's own control inbox cannot pass through (its children's
 * {@link dev.weft.runtime.Terminated} arrive there), so a link from {@code ("self", "control")}
 * relays: every signal but {@link dev.weft.runtime.Shutdown} goes to the linked inboxes, and
 * {@code Shutdown} goes to every child. The graphline ends when all its children have ended; if one
 * fails, the others are shut down and the graphline fails with {@link ChildFailedException}.
 */
public final class Graphline extends Composite {
    /** The name that stands for the graphline's own boxes in the linkage table. */
    public static final String SELF = "self";

    private Graphline(Builder b) {
        super(b.name, "graphline", List.copyOf(b.children.values()));
        for (BoxSpec<?> box : b.inboxes) {
            inbox(box.name, box.type);
        }
        for (BoxSpec<?> box : b.outboxes) {
            outbox(box.name, box.type);
        }
        Set<Outbox<?>> linked = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Link link : b.links) {
            wire(link, b.children, linked);
        }
    }

    /** Returns a builder for a graphline. */
    public static Builder builder() {
        return new Builder();
    }

    private void wire(Link link, Map<String, Component> children, Set<Outbox<?>> linked) {
        Component from = component(link.from(), link, children);
        Component to = component(link.to(), link, children);
        if (from == this && to == this) {
            throw new IllegalArgumentException(link + ": a link must involve a child");
        }
        if (from == this) {
            Inbox<?> outer = box(() -> Boxes.requireInbox(this, link.fromBox()), link);
            Inbox<?> inner = box(() -> Boxes.requireInbox(to, link.toBox()), link);
            checkFits(link, outer.type(), inner.type());
            if (outer == control()) {
                @SuppressWarnings("unchecked")
                Inbox<? super Signal> target = (Inbox<? super Signal>) inner;
                relaySignalsTo(target);
            } else {
                Boxes.passThroughUnchecked(outer, inner);
            }
            return;
        }
        Outbox<?> out = box(() -> Boxes.requireOutbox(from, link.fromBox()), link);
        if (!linked.add(out)) {
            throw new IllegalArgumentException(link + ": " + out + " is already linked; an outbox has one link");
        }
        if (to == this) {
            Outbox<?> outer = box(() -> Boxes.requireOutbox(this, link.toBox()), link);
            checkFits(link, out.type(), outer.type());
            Boxes.passThroughUnchecked(out, outer);
        } else {
            Inbox<?> in = box(() -> Boxes.requireInbox(to, link.toBox()), link);
            checkFits(link, out.type(), in.type());
            Boxes.linkUnchecked(out, in);
        }
    }

    private Component component(String name, Link link, Map<String, Component> children) {
        if (SELF.equals(name)) {
            return this;
        }
        Component c = children.get(name);
        if (c == null) {
            throw new IllegalArgumentException(link + ": no component named '" + name + "'; the graphline has "
                    + SELF + ", " + String.join(", ", children.keySet()));
        }
        return c;
    }

    private static <B> B box(java.util.function.Supplier<B> find, Link link) {
        try {
            return find.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(link + ": " + e.getMessage(), e);
        }
    }

    private static void checkFits(Link link, Class<?> sent, Class<?> taken) {
        if (!taken.isAssignableFrom(sent)) {
            throw new IllegalArgumentException(link + ": type mismatch, " + sent.getName() + " does not fit "
                    + taken.getName());
        }
    }

    private record BoxSpec<T>(String name, Class<T> type) {
    }

    private record Link(String from, String fromBox, String to, String toBox) {
        @Override
        public String toString() {
            return "link (" + from + ", " + fromBox + ") -> (" + to + ", " + toBox + ")";
        }
    }

    /** Collects a graphline's children, its own boxes and its linkage table. */
    public static final class Builder {
        private final Map<String, Component> children = new LinkedHashMap<>();
        private final List<BoxSpec<?>> inboxes = new ArrayList<>();
        private final List<BoxSpec<?>> outboxes = new ArrayList<>();
        private final List<Link> links = new ArrayList<>();
        private String name;

        private Builder() {
        }

        /** Names the graphline (for logs and errors). */
        public Builder name(String graphlineName) {
            this.name = graphlineName;
            return this;
        }

        /** Adds a child under {@code childName}; children are spawned in the order added. */
        public Builder child(String childName, Component child) {
            if (SELF.equals(childName)) {
                throw new IllegalArgumentException("'" + SELF + "' names the graphline itself; pick another name");
            }
            if (children.putIfAbsent(childName, child) != null) {
                throw new IllegalArgumentException("two children are named '" + childName + "'");
            }
            return this;
        }

        /** Declares an inbox of the graphline itself, to pass through to a child with a link from {@code self}. */
        public Builder inbox(String boxName, Class<?> type) {
            inboxes.add(new BoxSpec<>(boxName, type));
            return this;
        }

        /** Declares an outbox of the graphline itself, for a child's outbox to pass through to. */
        public Builder outbox(String boxName, Class<?> type) {
            outboxes.add(new BoxSpec<>(boxName, type));
            return this;
        }

        /** Adds a row to the linkage table: {@code (from, fromBox) -> (to, toBox)}. */
        public Builder link(String from, String fromBox, String to, String toBox) {
            links.add(new Link(from, fromBox, to, toBox));
            return this;
        }

        /**
         * Builds the graphline, checking every link.
         *
         * @throws IllegalArgumentException naming the link, component or box that does not fit
         */
        public Graphline build() {
            return new Graphline(this);
        }
    }
}
