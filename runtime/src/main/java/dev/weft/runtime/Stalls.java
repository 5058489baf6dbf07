package dev.weft.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Says what a component waits on, and spots the silent hang of a pipeline wired without its
 * lifecycle link: a component waiting on its control inbox for end of input while no outbox is
 * linked to that inbox, so no ProducerFinished can ever come. Links are read under the runtime's
 * link lock, all at once; the rest is a racy but harmless look at a component that may be moving on.
 */
final class Stalls {
    private Stalls() {
    }

    /** Returns what {@code c} is doing, for a timed-out join: its name, state and the inboxes it waits on. */
    static String describe(Component c, Collection<Component> live, Links links) {
        StringBuilder text = new StringBuilder(c.name()).append(" is still ").append(c.state());
        Inbox<?>[] waits = c.awaiting();
        if (waits.length == 0) {
            return text.append(" and not waiting for a message (busy, or blocked outside its inboxes)").toString();
        }
        text.append(", waiting for a message on ").append(names(waits));
        String missing = missingProducer(c, waits, live, links);
        return missing == null ? text.toString() : text.append("; ").append(missing).toString();
    }

    /**
     * Returns the finding for a component that waits on its control inbox (and another inbox) with
     * nothing linked to the control inbox, or null.
     */
    static String missingProducer(Component c, Inbox<?>[] waits, Collection<Component> live, Links links) {
        Inbox<Signal> control = c.control;
        if (waits.length < 2 || !contains(waits, control)) {
            return null;
        }
        List<Component> producers = new ArrayList<>();
        boolean controlFed = links.read(() -> {
            for (Component other : live) {
                for (Outbox<?> out : other.outboxes()) {
                    Sink<?> to = out.target();
                    if (to == control) {
                        return true;
                    }
                    if (to instanceof Inbox<?> in && contains(waits, in) && !producers.contains(other)) {
                        producers.add(other);
                    }
                }
            }
            return false;
        });
        if (controlFed) {
            return null;
        }
        // A producer that has ended is no longer live, so it can only be named while it runs.
        String producer = producers.isEmpty() ? "the producer's signal" : producers.get(0).name() + ".signal";
        String data = producers.isEmpty() ? "the producer's outbox, " + firstData(waits, control)
                : dataInbox(producers.get(0), waits);
        return "nothing is linked to " + control + ", so the end of input it waits for (ProducerFinished) can "
                + "never come: link " + producer + " to " + c.name() + ".control, or use weft.pipe("
                + data + ") to link data and end together";
    }

    /** Returns "outbox, inbox" for the first link from {@code producer} into one of {@code waits}. */
    private static String dataInbox(Component producer, Inbox<?>[] waits) {
        for (Outbox<?> out : producer.outboxes()) {
            if (out.target() instanceof Inbox<?> in && contains(waits, in)) {
                return out + ", " + in;
            }
        }
        return "the producer's outbox, the data inbox";
    }

    private static Inbox<?> firstData(Inbox<?>[] waits, Inbox<Signal> control) {
        for (Inbox<?> b : waits) {
            if (b != control) {
                return b;
            }
        }
        return control;
    }

    private static boolean contains(Inbox<?>[] boxes, Inbox<?> box) {
        for (Inbox<?> b : boxes) {
            if (b == box) {
                return true;
            }
        }
        return false;
    }

    private static String names(Inbox<?>[] boxes) {
        StringBuilder s = new StringBuilder();
        for (Inbox<?> b : boxes) {
            s.append(s.isEmpty() ? "" : " and ").append(b);
        }
        return s.toString();
    }
}
