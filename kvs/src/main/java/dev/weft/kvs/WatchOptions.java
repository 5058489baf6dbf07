package dev.weft.kvs;

/**
 * Flux's watch flags beyond the {@link WatchMode}, for
 * {@link Namespace#watch(String, WatchMode, WatchOptions, java.util.function.Consumer)}. They filter
 * the events the backend delivers, so they work alike on every backend.
 *
 * <ul>
 *   <li>{@code waitCreate} (Flux's {@code --waitcreate}): deliver no {@code Value(null)} before the
 *       key first holds a value, so a watch on a missing key starts with its first value. An
 *       {@code APPEND} watch and a {@code CREATE} watch wait for their key anyway.
 *   <li>{@code uniq} ({@code --uniq}): deliver a {@code Value} only if its bytes differ from the last
 *       one delivered (a put of the same bytes changes the key's version, and is skipped).
 *   <li>{@code count} ({@code --count N}): end the watch after that many events with
 *       {@code Ended(CANCELLED)} at the version of the last (0: no limit).
 * </ul>
 *
 * <p>Flux's {@code --full} (also fire when a parent directory is replaced) needs no flag: every
 * Weft watch compares the node at its key after each commit, however it changed, so it always fires
 * then. Flux's {@code --append} is {@link WatchMode#APPEND}.
 *
 * @param waitCreate skip {@code Value(null)} until the key holds a value
 * @param uniq skip a {@code Value} equal to the last one delivered
 * @param count end after this many events (0: no limit)
 */
public record WatchOptions(boolean waitCreate, boolean uniq, int count) {
    /** No flags. */
    public static final WatchOptions NONE = new WatchOptions(false, false, 0);

    public WatchOptions {
        if (count < 0) {
            throw new IllegalArgumentException("a watch's count must not be negative: " + count);
        }
    }

    public WatchOptions withWaitCreate() {
        return new WatchOptions(true, uniq, count);
    }

    public WatchOptions withUniq() {
        return new WatchOptions(waitCreate, true, count);
    }

    public WatchOptions withCount(int events) {
        return new WatchOptions(waitCreate, uniq, events);
    }

    /** Returns whether no flag is set. */
    public boolean isNone() {
        return !waitCreate && !uniq && count == 0;
    }
}
