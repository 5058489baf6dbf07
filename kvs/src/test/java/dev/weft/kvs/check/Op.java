package dev.weft.kvs.check;

/**
 * One operation of a history: which client made which call, when it was invoked and completed
 * ({@link System#nanoTime()} of the recording JVM; {@link Long#MAX_VALUE} when the outcome is
 * unknown, since it may take effect at any later time) and how it ended.
 */
public record Op(int id, int client, Call call, long invoked, long completed, Outcome outcome) {
    public Op {
        if (completed < invoked) {
            throw new IllegalArgumentException("op " + id + " completed before it was invoked");
        }
        if (outcome instanceof Outcome.Unknown && completed != Long.MAX_VALUE) {
            throw new IllegalArgumentException("op " + id + " has an unknown outcome, so it has no completion time");
        }
    }

    /** Returns whether this is a write that may have been applied (committed, or unknown). */
    public boolean mayHaveApplied() {
        return call instanceof Call.Write && (outcome instanceof Outcome.Committed || outcome instanceof Outcome.Unknown);
    }

    @Override
    public String toString() {
        String done = completed == Long.MAX_VALUE ? "?" : Long.toString(completed);
        return "#" + id + " c" + client + " [" + invoked + ".." + done + "] " + call + " -> " + outcome;
    }
}
