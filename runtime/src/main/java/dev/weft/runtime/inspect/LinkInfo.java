package dev.weft.runtime.inspect;

import java.util.Objects;

/**
 * One edge of the graph: a link, a pass-through, or a delivery without a link.
 *
 * @param kind what sort of edge this is
 * @param from where messages come from
 * @param to where they go next (for a {@link LinkKind#LINK}, the inbox as linked, before any
 *     inbox pass-through; {@link OutboxInfo#target()} has the final one)
 */
public record LinkInfo(LinkKind kind, BoxRef from, BoxRef to) {

    public LinkInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
