package dev.weft.examples;

import dev.weft.kvs.WatchMode;
import dev.weft.kvs.WatchOptions;
import picocli.CommandLine.Option;

/**
 * Flux's watch flags, shared by {@code weft kvs get -w} and {@code weft kvs watch}: {@code -W},
 * {@code -u}, {@code -A}, {@code -f} and {@code -c}, as one {@link WatchOptions} and a mode.
 */
final class KvsWatchFlags {
    @Option(names = {"-W", "--waitcreate"}, description = "Wait for the key to be created, then watch it.")
    boolean waitCreate;

    @Option(names = {"-u", "--uniq"}, description = "Print a value only if it differs from the last one printed.")
    boolean uniq;

    @Option(names = {"-A", "--append"},
            description = "Print only what is appended; a replacement of the key ends the watch with an error.")
    boolean append;

    @Option(names = {"-f", "--full"},
            description = "Also fire when a parent directory is replaced (Weft watches always do; accepted for Flux).")
    boolean full;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Stop after N events.")
    Integer count;

    /** Whether a flag that only a watch uses is set ({@code -W} is not one: {@code get -W} waits without watching). */
    boolean watchOnly() {
        return count != null || uniq || append || full;
    }

    /** The flags as watch options (check {@link #problem} first). */
    WatchOptions options() {
        WatchOptions options = WatchOptions.NONE.withCount(count == null ? 0 : Math.max(0, count));
        options = waitCreate ? options.withWaitCreate() : options;
        return uniq ? options.withUniq() : options;
    }

    /** Returns {@code mode}, or {@link WatchMode#APPEND} with {@code -A}. */
    WatchMode mode(WatchMode mode) {
        return append ? WatchMode.APPEND : mode;
    }

    /** Returns what is wrong with these flags, or null: a count must be positive. */
    String problem() {
        return count != null && count < 1 ? "-c needs a positive count, not " + count : null;
    }
}
