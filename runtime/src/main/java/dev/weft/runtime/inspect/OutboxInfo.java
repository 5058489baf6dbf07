package dev.weft.runtime.inspect;

import dev.weft.runtime.UnlinkedPolicy;

/**
 * One outbox at the moment of a snapshot.
 *
 * @param name the outbox's name within its component
 * @param messageType the class name of the messages sent through it
 * @param whenUnlinked what a send does while it is linked to nothing
 * @param target the inbox its sends reach, every pass-through resolved, or {@code null} when unlinked
 */
public record OutboxInfo(String name, String messageType, UnlinkedPolicy whenUnlinked, BoxRef target) {
}
