package dev.weft.runtime.inspect;

import java.util.Objects;

/**
 * Names one box of one component in a {@link GraphSnapshot}.
 *
 * @param component the owning component's {@link ComponentInfo#id()}
 * @param box the box's name within that component, e.g. {@code "inbox"} or {@code "control"}
 */
public record BoxRef(long component, String box) {

    public BoxRef {
        Objects.requireNonNull(box, "box");
    }

    /** Returns {@code "<component>/<box>"}, the key used for this box in {@link InboxRates}' JSON-friendly maps. */
    @Override
    public String toString() {
        return component + "/" + box;
    }
}
