package dev.weft.kvs;

import java.util.List;

/**
 * A message a {@link Watch} delivers to its inbox. A watch delivers its events in version order,
 * each change once, and always ends with exactly one {@link Ended}.
 */
public sealed interface WatchEvent {
    /** Returns the id of the watch that sent this event ({@link Watch#id()}). */
    long watchId();

    /** Returns the watched key. */
    String key();

    /** Returns the root version this event belongs to. */
    long version();

    /** The value at the key as of {@code version}; {@code value} is null if missing or a directory. */
    record Value(long watchId, String key, long version, byte[] value) implements WatchEvent {
    }

    /** The bytes appended to the key's value by the commit that made {@code version}. */
    record Appended(long watchId, String key, long version, byte[] bytes) implements WatchEvent {
    }

    /**
     * The keys beneath the watched directory that the commit that made {@code version} changed (at
     * least one): values by their full key, a subtree that appeared or disappeared by its top key.
     */
    record DirChanged(long watchId, String key, long version, List<String> changed) implements WatchEvent {
    }

    /**
     * The watch's last event; nothing comes after it. Every change up to and including
     * {@code version} was delivered before it, except that for {@link Reason#REPLACED} and
     * {@link Reason#CREATED} the commit at {@code version} ended the watch and this event reports it
     * (after its {@code Value}, for {@code CREATED}).
     */
    record Ended(long watchId, String key, long version, Reason reason) implements WatchEvent {
    }

    /** Why a watch ended. */
    enum Reason {
        /** {@link Watch#cancel()} was called. */
        CANCELLED,
        /**
         * The watcher fell behind by more than its buffer: rather than skip changes, the watch ended.
         * Read the key at {@code version} and watch again from there.
         */
        OVERFLOWED,
        /**
         * An {@link WatchMode#APPEND} watch saw its value replaced, removed or made a directory by the
         * commit at {@code version}: read the key there and watch again to go on.
         */
        REPLACED,
        /** A {@link WatchMode#CREATE} watch saw its key appear. */
        CREATED,
        /** The namespace was removed. */
        NAMESPACE_REMOVED,
        /** The store closed. */
        CLOSED
    }
}
