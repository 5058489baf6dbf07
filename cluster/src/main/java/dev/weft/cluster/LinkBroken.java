package dev.weft.cluster;

import dev.weft.runtime.Signal;

/**
 * Tells a sender, on its control inbox, that its link to another runtime broke. Messages accepted
 * before the break may or may not have arrived (at-most-once; see {@code docs/cluster.md}).
 *
 * @param address where the link went
 * @param cause why it broke
 */
public record LinkBroken(RemoteAddress address, LinkBrokenException cause) implements Signal {
}
