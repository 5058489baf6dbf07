package dev.weft.runtime.inspect;

import dev.weft.runtime.ComponentState;
import java.util.List;
import java.util.Map;

/**
 * One live component at the moment of a snapshot.
 *
 * @param id a number unique among the components of this JVM, stable for the component's life
 * @param name the component's name
 * @param type the component's class name
 * @param state where it is in its life
 * @param parked whether its body is parked waiting for a message
 * @param parent the id of the component that spawned it, or {@code null} if the runtime did
 * @param inboxes its inboxes, {@code control} first
 * @param outboxes its outboxes, {@code signal} first
 * @param details what the component adds about itself through {@link Inspectable#details()}
 * @param diagnosis {@code null}, or why it looks stuck: it waits on its control inbox for end of
 *     input and no outbox is linked there, with the link that is missing (as
 *     {@link dev.weft.runtime.Weft#diagnose()} reports it)
 */
public record ComponentInfo(long id, String name, String type, ComponentState state, boolean parked, Long parent,
        List<InboxInfo> inboxes, List<OutboxInfo> outboxes, Map<String, Object> details,
        String diagnosis) {

    public ComponentInfo {
        inboxes = List.copyOf(inboxes);
        outboxes = List.copyOf(outboxes);
        details = Map.copyOf(details);
    }
}
