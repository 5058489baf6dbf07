package dev.weft.kvs;

import java.nio.file.Path;
import java.util.List;

/**
 * What opening a durable store found: the snapshot it started from, the log records it replayed,
 * and anything it dropped because it was torn or corrupt.
 *
 * @param snapshotLsn the log position the snapshot covered (0 if there was none)
 * @param replayed how many log records were replayed on top of the snapshot
 * @param lastLsn the last log position recovered; the next commit is logged after it
 * @param dropped what recovery cut off, in file order (empty when the log ended cleanly)
 */
public record RecoveryReport(long snapshotLsn, long replayed, long lastLsn, List<Dropped> dropped) {

    /** A stretch of a file that recovery did not trust and removed from the log. */
    public record Dropped(Path file, long offset, long bytes, String reason) {
    }

    public RecoveryReport {
        dropped = List.copyOf(dropped);
    }

    /** Returns whether recovery dropped nothing. */
    public boolean clean() {
        return dropped.isEmpty();
    }

    static RecoveryReport fresh() {
        return new RecoveryReport(0, 0, 0, List.of());
    }
}
