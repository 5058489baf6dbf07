package dev.weft.kvs.check;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What the {@link LinearizabilityChecker} found in a history. */
public record Report(History history, List<Anomaly> anomalies, SearchStats search) {
    /** How many anomalies {@link #toString()} describes in full. */
    static final int SHOWN = 12;

    public Report {
        anomalies = List.copyOf(anomalies);
    }

    /**
     * What the search did: the key partitions it searched, the operations it ordered, the unknown
     * writes nobody saw that it left out, and the (linearized set, state) pairs it visited.
     */
    public record SearchStats(int partitions, int ops, int droppedUnknown, long states) {
        @Override
        public String toString() {
            return "search: " + partitions + " partitions, " + ops + " ops, " + droppedUnknown
                    + " unseen unknown writes left out, " + states + " states";
        }
    }

    /** Returns whether the history is linearizable: no anomaly, and the search decided. */
    public boolean isLinearizable() {
        return anomalies.isEmpty();
    }

    /** Returns whether an anomaly of {@code kind} was found. */
    public boolean has(Anomaly.Kind kind) {
        return anomalies.stream().anyMatch(a -> a.kind() == kind);
    }

    /** Returns how many anomalies of each kind were found. */
    public Map<Anomaly.Kind, Long> counts() {
        Map<Anomaly.Kind, Long> counts = new EnumMap<>(Anomaly.Kind.class);
        anomalies.forEach(a -> counts.merge(a.kind(), 1L, Long::sum));
        return counts;
    }

    /** A one-paragraph account of the history: operations by outcome, then the search. */
    public String summary() {
        return history.ops().size() + " ops (" + history.countCalls(Call.Read.class) + " reads, "
                + history.countCalls(Call.Write.class) + " writes): " + history.count(Outcome.Committed.class)
                + " committed, " + history.count(Outcome.Refused.class) + " refused, "
                + history.count(Outcome.Failed.class) + " failed, " + history.count(Outcome.Unknown.class)
                + " unknown; " + search;
    }

    @Override
    public String toString() {
        if (anomalies.isEmpty()) {
            return "linearizable: " + summary();
        }
        return "NOT linearizable, " + counts() + ": " + summary() + anomalies.stream().limit(SHOWN)
                .map(a -> "\n  " + a.describe(history)).collect(Collectors.joining())
                + (anomalies.size() > SHOWN ? "\n  … and " + (anomalies.size() - SHOWN) + " more" : "");
    }
}
