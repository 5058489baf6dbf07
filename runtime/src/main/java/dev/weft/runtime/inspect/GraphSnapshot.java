package dev.weft.runtime.inspect;

import java.util.List;
import java.util.Optional;

/**
 * A picture of a running runtime: its live components with their boxes, the edges between boxes,
 * and the registered services. Taken by {@code Weft.snapshot()}.
 *
 * <p>Link state is read under the runtime's link lock, so the edges are consistent with each other;
 * depths, counts and states are each a moment's reading, taken while the components keep running.
 * An edge or parent may name a component that ended while the snapshot was taken and is not listed.
 *
 * @param takenAtMillis when the snapshot was taken (milliseconds since the epoch)
 * @param components the live components
 * @param links every link, pass-through and reported delivery between their boxes
 * @param services the registered services
 */
public record GraphSnapshot(long takenAtMillis, List<ComponentInfo> components, List<LinkInfo> links,
        List<ServiceInfo> services) {

    public GraphSnapshot {
        components = List.copyOf(components);
        links = List.copyOf(links);
        services = List.copyOf(services);
    }

    /** Returns the first live component with the given name. */
    public Optional<ComponentInfo> component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
