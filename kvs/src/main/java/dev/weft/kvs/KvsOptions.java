package dev.weft.kvs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a store. Start from {@link #inMemory()} or {@link #durable(Path)} and adjust with the
 * {@code with...} methods.
 *
 * @param directory where the log and snapshots live, or {@code null} for a store kept in memory only
 * @param fsync when a commit counts as durable (ignored in memory)
 * @param retainVersions how many recent root versions each namespace keeps for reads at an older version
 * @param watchBuffer the default number of events a watch buffers for a slow watcher
 * @param snapshotBytes log bytes after which a snapshot is taken and older log segments deleted
 * @param owner the owner of the {@code primary} namespace created on first open
 * @param meterRegistry where the store's meters go
 */
public record KvsOptions(Path directory, FsyncMode fsync, int retainVersions, int watchBuffer, long snapshotBytes,
        String owner, MeterRegistry meterRegistry) {

    public KvsOptions {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        if (retainVersions < 1 || watchBuffer < 1 || snapshotBytes < 1) {
            throw new IllegalArgumentException("retainVersions, watchBuffer and snapshotBytes must be positive");
        }
    }

    /** Options for a store that keeps nothing on disk. */
    public static KvsOptions inMemory() {
        return new KvsOptions(null, FsyncMode.NONE, 64, Kvs.DEFAULT_WATCH_BUFFER, 64L << 20, "weft",
                new SimpleMeterRegistry());
    }

    /** Options for a store logged in {@code directory} with group commit ({@link FsyncMode#BATCHED}). */
    public static KvsOptions durable(Path directory) {
        return inMemory().withDirectory(Objects.requireNonNull(directory, "directory")).withFsync(FsyncMode.BATCHED);
    }

    public KvsOptions withDirectory(Path dir) {
        return new KvsOptions(dir, fsync, retainVersions, watchBuffer, snapshotBytes, owner, meterRegistry);
    }

    public KvsOptions withFsync(FsyncMode mode) {
        return new KvsOptions(directory, mode, retainVersions, watchBuffer, snapshotBytes, owner, meterRegistry);
    }

    public KvsOptions withRetainVersions(int n) {
        return new KvsOptions(directory, fsync, n, watchBuffer, snapshotBytes, owner, meterRegistry);
    }

    public KvsOptions withWatchBuffer(int events) {
        return new KvsOptions(directory, fsync, retainVersions, events, snapshotBytes, owner, meterRegistry);
    }

    public KvsOptions withSnapshotBytes(long bytes) {
        return new KvsOptions(directory, fsync, retainVersions, watchBuffer, bytes, owner, meterRegistry);
    }

    public KvsOptions withOwner(String principal) {
        return new KvsOptions(directory, fsync, retainVersions, watchBuffer, snapshotBytes, principal, meterRegistry);
    }

    public KvsOptions withMeterRegistry(MeterRegistry registry) {
        return new KvsOptions(directory, fsync, retainVersions, watchBuffer, snapshotBytes, owner, registry);
    }
}
