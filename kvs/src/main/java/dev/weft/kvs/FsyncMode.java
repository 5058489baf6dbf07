package dev.weft.kvs;

/** When a commit counts as durable, and so when {@link Namespace#commit} returns. */
public enum FsyncMode {
    /** Each commit is written and forced to disk on its own ({@code fdatasync} per commit). */
    ALWAYS,
    /**
     * Group commit: all commits that queued while the previous force ran are written together and
     * covered by one force. Same guarantee as {@link #ALWAYS}, far more commits per second.
     */
    BATCHED,
    /**
     * Commits are written to the operating system but never forced: they survive the process being
     * killed, not the machine losing power.
     */
    NONE
}
