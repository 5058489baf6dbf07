package dev.weft.kvs;

/**
 * A live watch on a key, delivering {@link WatchEvent}s in version order, each change once, and
 * ending with exactly one {@link WatchEvent.Ended}. Made by {@link Namespace#watch}.
 */
public interface Watch {
    /** Returns this watch's id, carried by each of its events. */
    long id();

    /** Returns the watched key. */
    String key();

    /** Returns what this watch reports. */
    WatchMode mode();

    /**
     * Returns the version the watch started at: its first event describes the key at this version
     * (or, for a directory watch, later events describe changes after it).
     */
    long startVersion();

    /** Returns whether the watch has not ended yet (its final event may still be on its way). */
    boolean isActive();

    /**
     * Ends the watch: the events already due arrive, then {@code Ended(CANCELLED)}. Does not wait
     * (over the network the cancellation is sent and the {@code Ended} confirms it); idempotent, and
     * a watch that has ended already is left alone.
     */
    void cancel();
}
