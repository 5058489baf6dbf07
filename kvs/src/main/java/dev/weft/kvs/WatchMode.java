package dev.weft.kvs;

/** What a {@link Watch} reports. */
public enum WatchMode {
    /**
     * Every change of the value at a key: first its value when the watch starts (null if missing or
     * a directory), then a {@link WatchEvent.Value} per commit that changes the key's version. On a
     * directory that is every commit that changes anything beneath it, each a {@code Value(null)}.
     */
    VALUE,
    /**
     * Only the bytes appended to a value: first its whole contents (if it exists and is not empty),
     * then a {@link WatchEvent.Appended} per commit that appends. A put, unlink or mkdir of the key
     * ends the watch with {@link WatchEvent.Reason#REPLACED} at the replacing commit's version, with
     * no {@code Appended} for that commit. Waits for the key if it is missing.
     */
    APPEND,
    /**
     * Waits until the key exists: one {@link WatchEvent.Value} (at once if it exists already), then
     * the watch ends with {@link WatchEvent.Reason#CREATED}.
     */
    CREATE,
    /**
     * Every change beneath a directory: a {@link WatchEvent.DirChanged} per commit that changes
     * anything under it, naming the keys that changed; a subtree that appeared or disappeared is
     * named by its top key only.
     */
    DIRECTORY
}
