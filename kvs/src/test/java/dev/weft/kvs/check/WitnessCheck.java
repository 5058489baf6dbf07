package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Checks a history against its version witnesses, in O(n log n): replays the commits in version
 * order, places every read and refusal at the versions its answer allows, and checks real-time
 * order. Operations whose witnesses are missing are left to the {@link Search}.
 */
final class WitnessCheck {
    /*
     * Each checked operation gets an interval of root versions at which it can have happened:
     *  - an applied write with version v: [v, v];
     *  - a read: for each key it saw, from the version of the write it saw up to just below the
     *    next known write of that key; intersected over its keys, and pinned to r if it said r;
     *  - a refusal that names the key's actual version a: [a, next write of the key after a - 1].
     * An empty interval is a stale, future or torn read, or a refusal of a state that never existed.
     * Committed preconditions are checked against the replay: the key's previous write must be the
     * one required.
     *
     * Real-time order: take the operations by invocation time; an operation must sit at or after
     * every operation that completed before it was invoked (strictly after, for a write). Giving
     * each operation the earliest point its interval and its predecessors allow is optimal (points
     * only ever need to move later), so one sweep with a heap of completion times decides it.
     * Writes with an unknown outcome never complete, so they constrain nobody after them.
     */
    private final Facts facts;
    private final List<Anomaly> anomalies = new ArrayList<>();

    private WitnessCheck(Facts facts) {
        this.facts = facts;
    }

    static List<Anomaly> run(Facts facts) {
        WitnessCheck check = new WitnessCheck(facts);
        List<Placed> placed = check.place();
        check.checkPreconditions();
        check.checkRealTime(placed);
        return check.anomalies;
    }

    /** An operation with the versions it can sit at; {@code write} ones must sit strictly later than predecessors. */
    private record Placed(int op, long low, long high, boolean write) {
    }

    private List<Placed> place() {
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < facts.ops.size(); i++) {
            Op op = facts.op(i);
            if (facts.applied[i] && facts.version[i] != Outcome.NONE) {
                placed.add(new Placed(i, facts.version[i], facts.version[i], true));
            } else if (op.outcome() instanceof Outcome.Read read) {
                Placed p = placeRead(i, read);
                if (p != null) {
                    placed.add(p);
                }
            } else if (op.outcome() instanceof Outcome.Refused refused && refused.key() != null && refused.actual() >= 0) {
                Placed p = placeRefusal(i, (Call.Write) op.call(), refused);
                if (p != null) {
                    placed.add(p);
                }
            }
        }
        return placed;
    }

    private Placed placeRead(int i, Outcome.Read read) {
        Op op = facts.op(i);
        long low = 0;
        long high = Long.MAX_VALUE;
        for (Outcome.Seen seen : read.seen()) {
            long v = facts.versionSeen(seen);
            if (v == Outcome.NONE) {
                continue; // the write it saw has no version: only the search can place it
            }
            long next = facts.nextWrite(seen.key(), v);
            if (read.version() != Outcome.NONE && v > read.version()) {
                anomalies.add(new Anomaly(Anomaly.Kind.FUTURE_READ, "a read at version " + read.version() + " saw '"
                        + seen.key() + "' as written at version " + v, withWriter(op, seen)));
            } else if (read.version() != Outcome.NONE && next <= read.version()) {
                anomalies.add(new Anomaly(Anomaly.Kind.STALE_READ, "a read at version " + read.version() + " saw '"
                        + seen.key() + "' as written at version " + v + ", missing the write at version " + next,
                        List.of(op, facts.op(facts.opAtVersion.get(next)))));
            }
            low = Math.max(low, v);
            high = Math.min(high, next - 1);
        }
        if (read.version() != Outcome.NONE) {
            return new Placed(i, read.version(), read.version(), false);
        }
        if (low > high) {
            anomalies.add(new Anomaly(Anomaly.Kind.TORN_READ, "no single version has what this read saw (its keys fit "
                    + "versions from " + low + " and up to " + high + ")", List.of(op)));
            return null;
        }
        return new Placed(i, low, high, false);
    }

    private Placed placeRefusal(int i, Call.Write call, Outcome.Refused refused) {
        Op op = facts.op(i);
        String key = refused.key();
        long actual = refused.actual();
        for (Call.Require req : call.requires()) {
            if (req.key().equals(key) && req.version() == actual) {
                anomalies.add(new Anomaly(Anomaly.Kind.BAD_REFUSAL, "refused although '" + key
                        + "' was at the version it required, " + actual, List.of(op)));
                return null;
            }
        }
        if (actual > 0 && facts.writerAt(key, actual) < 0) {
            Integer other = facts.opAtVersion.get(actual);
            if (other != null || !facts.unversionedWriteOf(key, op.completed())) {
                anomalies.add(new Anomaly(Anomaly.Kind.BAD_REFUSAL, "refused naming '" + key + "' at version " + actual
                        + (other == null ? ", which no write of that key has" : ", but the commit at that version did not write it"),
                        other == null ? List.of(op) : List.of(op, facts.op(other))));
            }
            return null;
        }
        long next = facts.nextWrite(key, actual);
        if (refused.version() != Outcome.NONE) {
            if (refused.version() < actual || refused.version() >= next) {
                anomalies.add(new Anomaly(Anomaly.Kind.BAD_REFUSAL, "refused naming '" + key + "' at version " + actual
                        + " when looking at version " + refused.version() + ", where it was not", List.of(op)));
                return null;
            }
            return new Placed(i, refused.version(), refused.version(), false);
        }
        return new Placed(i, actual, next - 1, false);
    }

    private void checkPreconditions() {
        for (int i = 0; i < facts.ops.size(); i++) {
            long v = facts.version[i];
            if (!facts.applied[i] || v == Outcome.NONE) {
                continue;
            }
            Op op = facts.op(i);
            for (Call.Require req : ((Call.Write) op.call()).requires()) {
                long previous = facts.previousWrite(req.key(), v);
                if (previous == req.version()) {
                    continue;
                }
                if (previous > req.version() || req.version() >= v) {
                    Integer by = facts.opAtVersion.get(previous);
                    anomalies.add(new Anomaly(Anomaly.Kind.LOST_UPDATE, "committed as " + v + " requiring '" + req.key()
                            + "' at version " + req.version() + ", but when it applied the key was at version " + previous,
                            by == null ? List.of(op) : List.of(op, facts.op(by))));
                } else if (facts.opAtVersion.containsKey(req.version()) || !facts.unversionedWriteOf(req.key(), op.completed())) {
                    anomalies.add(new Anomaly(Anomaly.Kind.LOST_UPDATE, "committed as " + v + " requiring '" + req.key()
                            + "' at version " + req.version() + ", which no write of that key has", List.of(op)));
                }
            }
        }
    }

    private void checkRealTime(List<Placed> placed) {
        placed.sort(Comparator.comparingLong((Placed p) -> facts.op(p.op()).invoked()));
        PriorityQueue<long[]> running = new PriorityQueue<>(Comparator.comparingLong(a -> a[0])); // {completed, point, op}
        long latest = Long.MIN_VALUE;
        int latestOp = -1;
        for (Placed p : placed) {
            Op op = facts.op(p.op());
            while (!running.isEmpty() && running.peek()[0] < op.invoked()) {
                long[] done = running.poll();
                if (done[1] > latest) {
                    latest = done[1];
                    latestOp = (int) done[2];
                }
            }
            long point = Math.max(p.low(), p.write() && latest != Long.MIN_VALUE ? latest + 1 : latest);
            if (point > p.high()) {
                anomalies.add(new Anomaly(Anomaly.Kind.REAL_TIME, "invoked after an operation at version " + latest
                        + " completed, it sits at " + (p.low() == p.high() ? "version " + p.high() : "versions " + p.low() + ".." + p.high()),
                        List.of(facts.op(latestOp), op)));
                point = p.high();
            }
            if (op.completed() != Long.MAX_VALUE) {
                running.add(new long[] {op.completed(), point, p.op()});
            }
        }
    }

    private List<Op> withWriter(Op read, Outcome.Seen seen) {
        Integer w = facts.writerOfValue.get(seen.value());
        return w == null ? List.of(read) : List.of(read, facts.op(w));
    }
}
