package dev.weft.kvs.check;

import java.util.List;
import java.util.Objects;

/**
 * How a call ended, with the version witnesses the store returned. {@link #NONE} (-1) stands for a
 * version the store did not say.
 */
public sealed interface Outcome {
    /** A version the store did not report. */
    long NONE = -1;

    /** A read's answer: the root version it read at ({@link #NONE} if not said) and each key it saw. */
    record Read(long version, List<Seen> seen) implements Outcome {
        public Read {
            seen = List.copyOf(seen);
        }

        @Override
        public String toString() {
            return (version == NONE ? "" : "@" + version + " ") + seen;
        }
    }

    /**
     * One key as a read saw it: its value ({@code null}: missing) and the key's version (the version
     * of the commit that last wrote it, 0 if missing, {@link #NONE} if not said).
     */
    record Seen(String key, String value, long keyVersion) {
        public Seen {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return key + "=" + value + (keyVersion == NONE ? "" : "@" + keyVersion);
        }
    }

    /** The write committed as {@code version} ({@link #NONE} if the store did not say). */
    record Committed(long version) implements Outcome {
        @Override
        public String toString() {
            return "ok" + (version == NONE ? "" : "@" + version);
        }
    }

    /**
     * A precondition did not hold, so nothing was applied. The store may say which {@code key} it
     * found at which {@code actual} version, and at which root {@code version} it looked.
     */
    record Refused(String key, long actual, long version) implements Outcome {
        @Override
        public String toString() {
            return "refused" + (key == null ? "" : " " + key + "@" + (actual == NONE ? "?" : actual))
                    + (version == NONE ? "" : " at " + version);
        }
    }

    /** The call definitely did not apply (for a read: it returned nothing). */
    record Failed(String why) implements Outcome {
        @Override
        public String toString() {
            return "failed: " + why;
        }
    }

    /** The call may or may not have applied: its reply was lost. */
    record Unknown(String why) implements Outcome {
        @Override
        public String toString() {
            return "unknown: " + why;
        }
    }
}
