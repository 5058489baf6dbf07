package dev.weft.kvs.check;

import java.util.List;
import java.util.stream.Collectors;

/** One way a history is not linearizable, with the operations that show it. */
public record Anomaly(Kind kind, String message, List<Op> ops) {
    public Anomaly {
        ops = List.copyOf(ops);
    }

    /** What went wrong. */
    public enum Kind {
        /** A read saw a value that no applied write put at that key. */
        PHANTOM_VALUE,
        /** Two witnesses name different versions for one commit (a torn transaction shows up here too). */
        WITNESS_MISMATCH,
        /** Two commits carry the same version: one of them was lost, or never happened. */
        VERSION_REUSED,
        /** A read at version r missed a commit at or below r that wrote the key (a lost or late write). */
        STALE_READ,
        /** A read at version r saw a commit above r. */
        FUTURE_READ,
        /** A read of several keys saw a state that no single version had. */
        TORN_READ,
        /** A committed precondition could not have held when the commit applied. */
        LOST_UPDATE,
        /** A refused precondition names a state that never existed when it was refused. */
        BAD_REFUSAL,
        /** An operation that completed before another was invoked sits at a later version. */
        REAL_TIME,
        /** The search found no order of the operations that explains every outcome. */
        NOT_LINEARIZABLE,
        /** The search gave up before deciding; the history was neither proven right nor wrong. */
        INCONCLUSIVE
    }

    /** Describes the anomaly and its operations, times relative to the start of {@code history}. */
    public String describe(History history) {
        return kind + ": " + message + ops.stream().map(op -> "\n      " + history.describe(op)).collect(Collectors.joining());
    }
}
