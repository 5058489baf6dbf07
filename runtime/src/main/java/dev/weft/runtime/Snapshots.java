package dev.weft.runtime;

import dev.weft.runtime.inspect.BoxRef;
import dev.weft.runtime.inspect.ComponentInfo;
import dev.weft.runtime.inspect.GraphSnapshot;
import dev.weft.runtime.inspect.InboxInfo;
import dev.weft.runtime.inspect.Inspectable;
import dev.weft.runtime.inspect.LinkInfo;
import dev.weft.runtime.inspect.LinkKind;
import dev.weft.runtime.inspect.OutboxInfo;
import dev.weft.runtime.inspect.ServiceInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link GraphSnapshot}. Outbox links and pass-throughs are read under the link lock, all
 * at once; everything else (depths, counts, states, {@link Inspectable} details) is read outside it,
 * so a slow {@code details()} never holds up linking.
 */
final class Snapshots {
    private static final String DIRECT = "*";

    private Snapshots() {
    }

    static GraphSnapshot take(Links linkLock, Collection<Component> live, ServiceRegistry services) {
        List<Component> components = new ArrayList<>(live);
        components.sort(Comparator.comparingLong(Component::id));
        List<LinkInfo> links = new ArrayList<>();
        List<List<OutboxInfo>> outboxes = linkLock.read(() -> readOutboxes(components, links));
        List<ComponentInfo> infos = new ArrayList<>(components.size());
        for (int i = 0; i < components.size(); i++) {
            infos.add(describe(components.get(i), outboxes.get(i), links, live, linkLock));
        }
        List<ServiceInfo> registered = new ArrayList<>();
        services.registrations().forEach((key, inbox) ->
                registered.add(new ServiceInfo(key.name(), key.type().getName(), ref(inbox))));
        return new GraphSnapshot(System.currentTimeMillis(), infos, links, registered);
    }

    /** Called under the link lock. */
    private static List<List<OutboxInfo>> readOutboxes(List<Component> components, List<LinkInfo> links) {
        List<List<OutboxInfo>> all = new ArrayList<>(components.size());
        for (Component c : components) {
            List<OutboxInfo> infos = new ArrayList<>();
            for (Outbox<?> out : c.outboxes()) {
                infos.add(new OutboxInfo(out.name(), out.type().getName(), out.unlinkedPolicy(),
                        out.target() instanceof Inbox<?> target ? ref(target) : null));
                if (out.link() instanceof Inbox<?> link) {
                    links.add(new LinkInfo(LinkKind.LINK, ref(out), ref(link)));
                }
                if (out.forward() != null) {
                    links.add(new LinkInfo(LinkKind.OUTBOX_PASS_THROUGH, ref(out), ref(out.forward())));
                }
            }
            all.add(infos);
        }
        return all;
    }

    private static ComponentInfo describe(Component c, List<OutboxInfo> outboxes, List<LinkInfo> links,
            Collection<Component> live, Links linkLock) {
        List<InboxInfo> inboxes = new ArrayList<>();
        for (Inbox<?> in : c.inboxes()) {
            Inbox<?> inner = in.passesThroughTo();
            inboxes.add(new InboxInfo(in.name(), in.type().getName(), in.isBounded() ? in.capacity() : -1,
                    in.size(), in.receivedCount(), inner == null ? null : ref(inner)));
            if (inner != null) {
                links.add(new LinkInfo(LinkKind.INBOX_PASS_THROUGH, ref(in), ref(inner)));
            }
        }
        Map<String, Object> details = Map.of();
        if (c instanceof Inspectable inspectable) {
            details = inspectable.details();
            for (Inbox<?> to : inspectable.deliversTo()) {
                links.add(new LinkInfo(LinkKind.DELIVERY, new BoxRef(c.id(), DIRECT), ref(to)));
            }
        }
        Component parent = c.parent();
        return new ComponentInfo(c.id(), c.name(), c.getClass().getName(), c.state(), c.isParked(),
                parent == null ? null : parent.id(), inboxes, outboxes, details,
                Stalls.missingProducer(c, c.awaiting(), live, linkLock));
    }

    private static BoxRef ref(Inbox<?> box) {
        return new BoxRef(box.owner().id(), box.name());
    }

    private static BoxRef ref(Outbox<?> box) {
        return new BoxRef(box.owner().id(), box.name());
    }
}
