package dev.weft.runtime.inspect;

/**
 * One inbox at the moment of a snapshot.
 *
 * @param name the inbox's name within its component
 * @param messageType the class name of the messages it takes
 * @param capacity how many messages it holds at most, or {@code -1} when unbounded
 * @param depth how many messages wait in it
 * @param received how many messages its owner has taken from it so far (see {@link InboxRates})
 * @param passesThroughTo the inner inbox it forwards to (a composite's pass-through), or {@code null}
 */
public record InboxInfo(String name, String messageType, int capacity, int depth, long received,
        BoxRef passesThroughTo) {
}
