package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a history's witnesses establish before any check: which write put each value, which writes
 * applied, each applied write's version, and each key's writes in version order. Operations are
 * named by their index in {@link History#ops()}.
 */
final class Facts {
    /*
     * Values are unique per write, so a read that returns value x names the write w that put x:
     * w applied (even if its own reply was lost), and the key version the read reports is w's
     * version. A write's version is what its commit returned, or else what the reads of its values
     * say; all of them must agree. A write "may have applied unversioned" when it committed without
     * saying its version or its outcome is unknown and no witness gave its version: such writes can
     * explain a version nobody else claims, so the checks below stay silent where one could.
     */
    final History history;
    final List<Op> ops;
    final Map<String, Integer> writerOfValue = new HashMap<>();
    /** Each applied write's version, {@link Outcome#NONE} for everything else. */
    final long[] version;
    /** Whether the write applied: it committed, or a witness saw its effect. */
    final boolean[] applied;
    /** The earliest completion of an operation that saw this write's effect ({@code Long.MAX_VALUE}: none). */
    final long[] seenBy;
    /**
     * The highest version made or read by an operation that completed before this one was invoked:
     * a write invoked then can only get a higher version.
     */
    final long[] floor;
    final Map<Long, Integer> opAtVersion = new HashMap<>();
    /** Per key, the applied writes with a version: version to op index. */
    final Map<String, TreeMap<Long, Integer>> timeline = new HashMap<>();
    /** Per key, the writes that may have applied without a known version. */
    final Map<String, List<Integer>> unversioned = new HashMap<>();
    final List<Anomaly> anomalies = new ArrayList<>();

    Facts(History history) {
        this.history = history;
        this.ops = history.ops();
        int n = ops.size();
        version = new long[n];
        applied = new boolean[n];
        seenBy = new long[n];
        floor = new long[n];
        Arrays.fill(version, Outcome.NONE);
        Arrays.fill(seenBy, Long.MAX_VALUE);
        indexValues();
        Map<Integer, Map<Long, Integer>> witnessed = observeReads();
        assignVersions(witnessed);
        computeFloors();
        inferFromPreconditions();
        observePreconditions();
    }

    Op op(int i) {
        return ops.get(i);
    }

    /** Returns the op index of the applied write that put {@code key} at {@code version}, or -1. */
    int writerAt(String key, long version) {
        Integer w = opAtVersion.get(version);
        return w != null && puts(w, key) ? w : -1;
    }

    /** Returns the smallest version above {@code version} at which {@code key} was written, or MAX_VALUE. */
    long nextWrite(String key, long version) {
        TreeMap<Long, Integer> t = timeline.get(key);
        Long next = t == null ? null : t.higherKey(version);
        return next == null ? Long.MAX_VALUE : next;
    }

    /** Returns the largest version below {@code version} at which {@code key} was written, or 0 (none). */
    long previousWrite(String key, long version) {
        TreeMap<Long, Integer> t = timeline.get(key);
        Long prev = t == null ? null : t.lowerKey(version);
        return prev == null ? 0 : prev;
    }

    /**
     * Returns whether a write of {@code key} with no known version, invoked before {@code before},
     * may have applied: the one write that could explain a version no known write has.
     */
    boolean unversionedWriteOf(String key, long before) {
        for (int w : unversioned.getOrDefault(key, List.of())) {
            if (op(w).invoked() < before) {
                return true;
            }
        }
        return false;
    }

    boolean puts(int w, String key) {
        return op(w).call() instanceof Call.Write write && write.valueAt(key) != null;
    }

    /** The version of the write {@code seen} names (0 when it saw the key missing), or NONE if unknown. */
    long versionSeen(Outcome.Seen seen) {
        if (seen.value() == null) {
            return 0;
        }
        Integer w = writerOfValue.get(seen.value());
        return w == null ? Outcome.NONE : version[w];
    }

    // ---------------------------------------------------------------- building

    private void indexValues() {
        for (int i = 0; i < ops.size(); i++) {
            if (op(i).call() instanceof Call.Write write) {
                for (Call.Put p : write.puts()) {
                    Integer twin = writerOfValue.putIfAbsent(p.value(), i);
                    if (twin != null && twin != i) {
                        throw new IllegalArgumentException("value '" + p.value() + "' is written by two operations ("
                                + op(twin) + " and " + op(i) + "): a checkable history writes every value once");
                    }
                }
            }
        }
    }

    /** Marks every write a read saw; returns, per write, the versions reads gave it and one read per version. */
    private Map<Integer, Map<Long, Integer>> observeReads() {
        Map<Integer, Map<Long, Integer>> witnessed = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            Op read = op(i);
            if (!(read.outcome() instanceof Outcome.Read result)) {
                continue;
            }
            for (Outcome.Seen seen : result.seen()) {
                if (seen.value() == null) {
                    if (seen.keyVersion() > 0) {
                        anomalies.add(new Anomaly(Anomaly.Kind.WITNESS_MISMATCH, "a read saw '" + seen.key()
                                + "' missing but at version " + seen.keyVersion(), List.of(read)));
                    }
                    continue;
                }
                Integer w = writerOfValue.get(seen.value());
                if (w == null || !puts(w, seen.key())) {
                    anomalies.add(new Anomaly(Anomaly.Kind.PHANTOM_VALUE, "a read saw '" + seen.key() + "' = '"
                            + seen.value() + "', which no operation wrote there", w == null ? List.of(read) : List.of(read, op(w))));
                    continue;
                }
                Outcome outcome = op(w).outcome();
                if (outcome instanceof Outcome.Refused || outcome instanceof Outcome.Failed) {
                    anomalies.add(new Anomaly(Anomaly.Kind.PHANTOM_VALUE, "a read saw '" + seen.key() + "' = '"
                            + seen.value() + "' from a write that did not apply", List.of(read, op(w))));
                    continue;
                }
                seenBy[w] = Math.min(seenBy[w], read.completed());
                if (seen.keyVersion() == 0) {
                    anomalies.add(new Anomaly(Anomaly.Kind.WITNESS_MISMATCH, "a read saw '" + seen.key()
                            + "' with a value at key version 0 (missing)", List.of(read)));
                } else if (seen.keyVersion() > 0) {
                    witnessed.computeIfAbsent(w, k -> new TreeMap<>()).putIfAbsent(seen.keyVersion(), i);
                }
            }
        }
        return witnessed;
    }

    private void assignVersions(Map<Integer, Map<Long, Integer>> witnessed) {
        for (int w = 0; w < ops.size(); w++) {
            Op write = op(w);
            if (!(write.call() instanceof Call.Write call)) {
                continue;
            }
            boolean committed = write.outcome() instanceof Outcome.Committed;
            applied[w] = committed || (write.outcome() instanceof Outcome.Unknown && seenBy[w] != Long.MAX_VALUE);
            if (!committed && !(write.outcome() instanceof Outcome.Unknown)) {
                continue;
            }
            long returned = committed ? ((Outcome.Committed) write.outcome()).version() : Outcome.NONE;
            Map<Long, Integer> byReads = witnessed.getOrDefault(w, Map.of());
            List<Op> disagreeing = new ArrayList<>();
            for (Map.Entry<Long, Integer> e : byReads.entrySet()) {
                if ((returned != Outcome.NONE && e.getKey() != returned) || byReads.size() > 1) {
                    disagreeing.add(op(e.getValue()));
                }
            }
            if (!disagreeing.isEmpty()) {
                disagreeing.add(0, write);
                anomalies.add(new Anomaly(Anomaly.Kind.WITNESS_MISMATCH, "reads of the values of one "
                        + (call.puts().size() > 1 ? "transaction" : "write") + " name versions " + byReads.keySet()
                        + (returned == Outcome.NONE ? "" : " but it committed as " + returned), disagreeing));
            }
            long v = returned != Outcome.NONE ? returned : byReads.isEmpty() ? Outcome.NONE : byReads.keySet().iterator().next();
            if (v == Outcome.NONE) {
                for (Call.Put p : call.puts()) {
                    unversioned.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(w);
                }
                continue;
            }
            version[w] = v;
            Integer twin = opAtVersion.putIfAbsent(v, w);
            if (twin != null) {
                anomalies.add(new Anomaly(Anomaly.Kind.VERSION_REUSED, "two commits have version " + v,
                        List.of(op(twin), write)));
                continue;
            }
            for (Call.Put p : call.puts()) {
                timeline.computeIfAbsent(p.key(), k -> new TreeMap<>()).put(v, w);
            }
        }
    }

    /**
     * A refusal that found key k at version a, or a commit that required it there, names the commit
     * with version a, which wrote k. When no write has version a yet and exactly one write of k
     * without a version could be that commit (it may have applied and was invoked before the naming
     * operation completed), that write applied, at version a. Repeats until nothing more follows.
     */
    private void inferFromPreconditions() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Op op : ops) {
                if (op.outcome() instanceof Outcome.Refused r && r.key() != null && r.actual() > 0) {
                    progress |= infer(r.key(), r.actual(), op.completed());
                } else if (op.outcome() instanceof Outcome.Committed && op.call() instanceof Call.Write write) {
                    for (Call.Require req : write.requires()) {
                        if (req.version() > 0) {
                            progress |= infer(req.key(), req.version(), op.completed());
                        }
                    }
                }
            }
        }
    }

    private boolean infer(String key, long named, long before) {
        if (opAtVersion.containsKey(named)) {
            return false;
        }
        int candidate = -1;
        for (int w : unversioned.getOrDefault(key, List.of())) {
            if (couldBe(w, named, before)) {
                if (candidate >= 0) {
                    return false;
                }
                candidate = w;
            }
        }
        if (candidate < 0) {
            return false;
        }
        version[candidate] = named;
        applied[candidate] = true;
        opAtVersion.put(named, candidate);
        for (Call.Put p : ((Call.Write) op(candidate).call()).puts()) {
            unversioned.get(p.key()).remove(Integer.valueOf(candidate));
            timeline.computeIfAbsent(p.key(), k -> new TreeMap<>()).put(named, candidate);
        }
        return true;
    }

    /** Whether write {@code w}, which has no known version, may be the commit at {@code version} that an operation completed at {@code before} names. */
    boolean couldBe(int w, long version, long before) {
        return op(w).invoked() < before && floor[w] < version;
    }

    private void computeFloors() {
        Integer[] byCompletion = new Integer[ops.size()];
        for (int i = 0; i < byCompletion.length; i++) {
            byCompletion[i] = i;
        }
        Arrays.sort(byCompletion, (a, b) -> Long.compare(op(a).completed(), op(b).completed()));
        long highest = 0;
        int next = 0;
        for (int i = 0; i < ops.size(); i++) {
            while (next < byCompletion.length && op(byCompletion[next]).completed() < op(i).invoked()) {
                int done = byCompletion[next++];
                long v = op(done).outcome() instanceof Outcome.Read r ? r.version() : applied[done] ? version[done] : 0;
                highest = Math.max(highest, v);
            }
            floor[i] = highest;
        }
    }

    /** A refusal naming a write's version, and a committed precondition requiring it, also saw that write. */
    private void observePreconditions() {
        for (Op op : ops) {
            if (op.outcome() instanceof Outcome.Refused r && r.key() != null && r.actual() > 0) {
                see(writerAt(r.key(), r.actual()), op.completed());
            } else if (op.outcome() instanceof Outcome.Committed && op.call() instanceof Call.Write write) {
                for (Call.Require req : write.requires()) {
                    if (req.version() > 0) {
                        see(writerAt(req.key(), req.version()), op.completed());
                    }
                }
            }
        }
    }

    private void see(int w, long when) {
        if (w >= 0) {
            seenBy[w] = Math.min(seenBy[w], when);
        }
    }
}
