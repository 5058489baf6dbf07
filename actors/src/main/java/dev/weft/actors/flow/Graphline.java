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
import java.util.function.Supplier;

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
 * that does not fit, an outbox linked twice, or one of the graphline's inboxes passed through to two
 * children is an {@link IllegalArgumentException} naming the graphline, the link and the children.
 * To feed several children from one inbox, pass it through to a {@link Splitter} child. Several
 * outboxes may link to one inbox (fan-in), and {@code ("self", "control")} may be linked to several
 * children: each gets every relayed signal.
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
        Wiring wiring = new Wiring(b.children);
        for (Link link : b.links) {
            wiring.wire(link);
        }
    }

    /** Returns a builder for a graphline. */
    public static Builder builder() {
        return new Builder();
    }

    /** Applies the linkage table, remembering what is linked so that a box is not linked twice. */
    private final class Wiring {
        private final Map<String, Component> children;
        private final Set<Outbox<?>> linkedOutboxes = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Map<Inbox<?>, Link> passedThrough = new IdentityHashMap<>();

        Wiring(Map<String, Component> children) {
            this.children = children;
        }

        void wire(Link link) {
            Component from = component(link.from(), link);
            Component to = component(link.to(), link);
            if (from == Graphline.this && to == Graphline.this) {
                throw refused(link, "a link must involve a child");
            }
            if (from == Graphline.this) {
                passIn(link, to);
                return;
            }
            Outbox<?> out = box(() -> Boxes.requireOutbox(from, called(link.from()), link.fromBox()), link);
            if (!linkedOutboxes.add(out)) {
                throw refused(link, "outbox '" + link.fromBox() + "' of " + called(link.from())
                        + " is already linked; an outbox has one link (a Splitter child feeds several)");
            }
            if (to == Graphline.this) {
                Outbox<?> outer = box(() -> Boxes.requireOutbox(to, called(link.to()), link.toBox()), link);
                checkFits(link, out.type(), outer.type());
                Boxes.passThroughUnchecked(out, outer);
            } else {
                Inbox<?> in = box(() -> Boxes.requireInbox(to, called(link.to()), link.toBox()), link);
                checkFits(link, out.type(), in.type());
                Boxes.linkUnchecked(out, in);
            }
        }

        /** A link from one of the graphline's own inboxes: a pass-through, or the control relay. */
        private void passIn(Link link, Component to) {
            Inbox<?> outer = box(() -> Boxes.requireInbox(Graphline.this, called(SELF), link.fromBox()), link);
            Inbox<?> inner = box(() -> Boxes.requireInbox(to, called(link.to()), link.toBox()), link);
            checkFits(link, outer.type(), inner.type());
            if (outer == control) {
                @SuppressWarnings("unchecked")
                Inbox<? super Signal> target = (Inbox<? super Signal>) inner;
                relaySignalsTo(target);
                return;
            }
            Link earlier = passedThrough.putIfAbsent(outer, link);
            if (earlier != null) {
                throw refused(link, "its inbox '" + link.fromBox() + "' already passes through to inbox '"
                        + earlier.toBox() + "' of " + called(earlier.to()) + ", so it cannot pass through to "
                        + called(link.to()) + " as well; an inbox passes through to one child (a Splitter child"
                        + " feeds several)");
            }
            Boxes.passThroughUnchecked(outer, inner);
        }

        private Component component(String name, Link link) {
            if (SELF.equals(name)) {
                return Graphline.this;
            }
            Component c = children.get(name);
            if (c == null) {
                throw refused(link, "no component named '" + name + "'; the graphline has " + SELF + ", "
                        + String.join(", ", children.keySet()));
            }
            return c;
        }

        /** How errors name the component called {@code name} in the linkage table. */
        private String called(String name) {
            return SELF.equals(name) ? "graphline '" + name() + "'"
                    : "child '" + name + "' (" + children.get(name).name() + ")";
        }

        private <B> B box(Supplier<B> find, Link link) {
            try {
                return find.get();
            } catch (IllegalArgumentException e) {
                throw refused(link, e.getMessage());
            }
        }

        private void checkFits(Link link, Class<?> sent, Class<?> taken) {
            if (!taken.isAssignableFrom(sent)) {
                throw refused(link, "type mismatch, " + sent.getName() + " does not fit " + taken.getName());
            }
        }

        private IllegalArgumentException refused(Link link, String why) {
            return new IllegalArgumentException("graphline '" + name() + "', " + link + ": " + why);
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
