package dev.weft.kvs;

/** What a {@link Watch} reports. */
public enum WatchMode {
    /**
     * Every change of the value at a key: first its value when the watch starts (null if missing),
     * then a {@link WatchEvent.Value} per commit that changes it.
     */
    VALUE,
    /**
     * Only the bytes appended to a value: first its whole contents (if it exists and is not empty),
     * then a {@link WatchEvent.Appended} per commit that appends. A put, unlink or mkdir of the key
     * ends the watch with {@link WatchEvent.Reason#REPLACED}. Waits for the key if it is missing.
     */
    APPEND,
    /**
     * Waits until the key exists: one {@link WatchEvent.Value} (at once if it exists already), then
     * the watch ends with {@link WatchEvent.Reason#CREATED}.
     */
    CREATE,
    /**
     * Every change beneath a directory: a {@link WatchEvent.DirChanged} per commit that changes
     * anything under it, naming the keys that changed.
     */
    DIRECTORY
}
