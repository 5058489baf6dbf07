package dev.weft.runtime.inspect;

import dev.weft.runtime.Inbox;
import java.util.List;
import java.util.Map;

/**
 * Implemented by a component that has more to show in a {@link GraphSnapshot} than its boxes: a
 * selector its channel registrations, a pool the workers it hands jobs to.
 *
 * <p>Both methods are called on the inspector's thread while the component runs: they must be
 * thread-safe, quick, and must not block.
 */
public interface Inspectable {

    /** Returns facts to show with this component; values should be strings, numbers, booleans, lists or maps. */
    default Map<String, Object> details() {
        return Map.of();
    }

    /** Returns the inboxes this component sends to directly, without a link (drawn as {@link LinkKind#DELIVERY}). */
    default List<Inbox<?>> deliversTo() {
        return List.of();
    }
}
