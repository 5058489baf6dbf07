package dev.weft.kvs.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A Wing–Gong search with Lowe's memoisation, for what the witnesses cannot settle: reads without
 * versions, writes whose outcome is unknown, refusals without the version they found. It looks for
 * an order of the operations that respects real time and explains every outcome with a model of the
 * store, one partition of keys at a time.
 */
final class Search {
    /*
     * Model. Per key, the write whose value is current (its op index; -1: missing); a precondition
     * "key at version e" is true when that write's version is e, false when it has another version
     * (or e belongs to another commit), and "maybe" when the write has no known version: such a
     * write may carry any version nobody else claims. Committed preconditions need true or maybe;
     * a refusal needs one that is false or maybe. Writes with a version must also be linearized in
     * version order, and a read or refusal that said its root version r must sit after every such
     * write up to r and before the next; so where the witnesses are complete the search follows them
     * without branching.
     *
     * Reads and refusals change nothing, so one the model accepts now can go first in any
     * linearization that exists from here (it is not after any operation still in the list in real
     * time, and moving it earlier changes no state). The search therefore takes such an operation
     * at once and never tries the orders without it: only writes are choices to backtrack over.
     *
     * Algorithm (Wing & Gong 1993, Lowe 2017). Calls and returns sit in one list ordered by time.
     * Walking it from the front, the search tries each call before the first return: if the model
     * accepts the operation, and the pair (linearized set, model state) was never reached before,
     * it linearizes it, lifts its call and return out of the list and starts again at the front. On
     * reaching a return whose call was not linearized, no operation can come first any more, so it
     * backtracks: undoes the last linearization and tries the next call after it. Reaching the end
     * of the list means every operation with a return is linearized: the rest have unknown
     * outcomes and may never have applied. Backtracking past the first operation means there is no
     * linearization.
     *
     * The visited pairs are the memo: without it the search is exponential in the concurrency. A
     * linearized set is stored as (hi, holes): every operation below index hi in invocation order
     * except the holes. Holes are the few operations still in flight, so a pair costs a few dozen
     * bytes however long the history.
     *
     * Partitions (Herlihy & Wing's locality, P-compositionality in Porcupine): keys that one
     * operation touches together are in one partition, and each partition is searched alone.
     *
     * Unknown writes: one that a witness saw applied gets that witness's completion as its return.
     * One nobody saw can only matter as the reason a precondition failed, so it is kept, with no
     * return, only when a later refusal could be its doing: one of its keys that does not say which
     * version it found, or one that names a version of a key it puts that no other write has and
     * that it could have got. Otherwise it is dropped, which leaves every outcome as explainable as
     * before.
     */
    /** The fewest states a search may visit before it gives up. */
    static final long MIN_BUDGET = 2_000_000;
    /** The states a search may visit per operation of the history (a run with witnesses needs about 4). */
    static final long BUDGET_PER_OP = 20;

    record Result(List<Anomaly> anomalies, Report.SearchStats stats) {
    }

    private final Facts facts;
    private final long budget;

    private Search(Facts facts, long budget) {
        this.facts = facts;
        this.budget = budget;
    }

    static Result run(Facts facts, long budget) {
        return new Search(facts, budget).run();
    }

    private Result run() {
        Map<String, List<Integer>> partitions = partition();
        List<Anomaly> anomalies = new ArrayList<>();
        int searched = 0;
        long states = 0;
        for (List<Integer> part : partitions.values()) {
            Partition p = new Partition(part);
            anomalies.addAll(p.search());
            searched += part.size();
            states += p.cache.size();
        }
        int dropped = (int) IntStream.range(0, facts.ops.size())
                .filter(i -> facts.op(i).outcome() instanceof Outcome.Unknown && facts.op(i).call() instanceof Call.Write
                        && !facts.applied[i] && !kept(i))
                .count();
        return new Result(anomalies, new Report.SearchStats(partitions.size(), searched, dropped, states));
    }

    // ---------------------------------------------------------------- which operations, which partitions

    /** Returns whether the search orders operation {@code i}. */
    private boolean included(int i) {
        Op op = facts.op(i);
        return switch (op.outcome()) {
            case Outcome.Read r -> true;
            case Outcome.Committed c -> true;
            case Outcome.Refused r -> true;
            case Outcome.Unknown u -> op.call() instanceof Call.Write && (facts.applied[i] || kept(i));
            case Outcome.Failed f -> false;
        };
    }

    /**
     * Whether an unknown write nobody saw may be the reason for a refusal: one that names the
     * version it found, unclaimed, of a key this write puts, or one that names none.
     */
    private boolean kept(int i) {
        Op write = facts.op(i);
        Call.Write call = (Call.Write) write.call();
        for (Op op : facts.ops) {
            if (!(op.outcome() instanceof Outcome.Refused r) || op.completed() <= write.invoked()) {
                continue;
            }
            if (r.key() != null && r.actual() >= 0) {
                if (r.actual() > 0 && call.valueAt(r.key()) != null && !facts.opAtVersion.containsKey(r.actual())
                        && facts.couldBe(i, r.actual(), op.completed())) {
                    return true;
                }
            } else if (((Call.Write) op.call()).requires().stream().anyMatch(req -> call.valueAt(req.key()) != null)) {
                return true;
            }
        }
        return false;
    }

    /** Groups the included operations by the partition of their keys, in invocation order. */
    private Map<String, List<Integer>> partition() {
        Map<String, String> parent = new HashMap<>();
        List<Integer> included = new ArrayList<>();
        for (int i = 0; i < facts.ops.size(); i++) {
            if (!included(i)) {
                continue;
            }
            included.add(i);
            String first = null;
            for (String key : facts.op(i).call().touches()) {
                parent.putIfAbsent(key, key);
                if (first == null) {
                    first = key;
                } else {
                    parent.put(find(parent, key), find(parent, first));
                }
            }
        }
        Map<String, List<Integer>> parts = new LinkedHashMap<>();
        for (int i : included) {
            String root = find(parent, facts.op(i).call().touches().iterator().next());
            parts.computeIfAbsent(root, k -> new ArrayList<>()).add(i);
        }
        return parts;
    }

    private static String find(Map<String, String> parent, String key) {
        String root = key;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        parent.put(key, root);
        return root;
    }

    // ---------------------------------------------------------------- one partition

    private enum Truth { TRUE, FALSE, MAYBE }

    /** A call or return in the search's list. */
    private static final class Entry {
        final int pos;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int pos, boolean call, long time) {
            this.pos = pos;
            this.call = call;
            this.time = time;
        }
    }

    /** A visited (linearized set, model state) pair. */
    private static final class Key {
        final int hi;
        final int[] holes;
        final int[] writers;
        final int done;
        final int hash;

        Key(int hi, int[] holes, int[] writers, int done) {
            this.hi = hi;
            this.holes = holes;
            this.writers = writers;
            this.done = done;
            this.hash = ((hi * 31 + Arrays.hashCode(holes)) * 31 + Arrays.hashCode(writers)) * 31 + done;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && hi == k.hi && done == k.done
                    && Arrays.equals(holes, k.holes) && Arrays.equals(writers, k.writers);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A linearization step and the state before it; a read-only step is no choice, so backtracking passes it. */
    private record Frame(Entry call, int[] writers, int done, int hi, boolean readOnly) {
    }

    private static final Entry FAILED = new Entry(-1, false, Long.MIN_VALUE);

    private final class Partition {
        final List<Integer> ops;           // op indices, in invocation order: a position names one
        final Map<String, Integer> keyIndex = new HashMap<>();
        final long[] witnessed;            // versions of the versioned writes, ascending
        final Map<Long, Integer> rank = new HashMap<>();
        final Set<Key> cache = new HashSet<>();

        Partition(List<Integer> ops) {
            this.ops = ops;
            List<Long> versions = new ArrayList<>();
            for (int i : ops) {
                for (String k : facts.op(i).call().touches()) {
                    keyIndex.putIfAbsent(k, keyIndex.size());
                }
                if (facts.applied[i] && facts.version[i] != Outcome.NONE) {
                    versions.add(facts.version[i]);
                }
            }
            witnessed = versions.stream().mapToLong(Long::longValue).sorted().toArray();
            for (int r = 0; r < witnessed.length; r++) {
                rank.put(witnessed[r], r);
            }
        }

        // the search's position: what is linearized, the model state, and how to undo each step
        private final BitSet linearized = new BitSet();
        private final Deque<Frame> stack = new ArrayDeque<>();
        private int[] writers;
        private int done;
        private int hi;
        private int deepest = -1;
        private List<Integer> blocked = List.of();

        List<Anomaly> search() {
            Entry head = list();
            writers = new int[keyIndex.size()];
            Arrays.fill(writers, -1);
            Entry e = head.next;
            while (e != null) {
                if (!e.call) {
                    e = backtrack(e);
                } else {
                    int[] nextWriters = step(writers, done, e.pos);
                    if (nextWriters == null) {
                        e = e.next;
                        continue;
                    }
                    boolean changes = nextWriters != writers;
                    int nextDone = isVersioned(e.pos) ? done + 1 : done;
                    int nextHi = Math.max(hi, e.pos + 1);
                    linearized.set(e.pos);
                    if (cache.add(new Key(nextHi, holes(linearized, nextHi), nextWriters, nextDone))) {
                        if (cache.size() > budget) {
                            return List.of(new Anomaly(Anomaly.Kind.INCONCLUSIVE, "the search of keys " + keyIndex.keySet()
                                    + " visited more than " + budget + " states without deciding", List.of()));
                        }
                        stack.push(new Frame(e, writers, done, hi, !changes));
                        writers = nextWriters;
                        done = nextDone;
                        hi = nextHi;
                        lift(e);
                        e = head.next;
                    } else {
                        linearized.clear(e.pos);
                        // an operation that changes nothing can always go first; seen before, this position failed
                        e = changes ? e.next : backtrack(e);
                    }
                }
                if (e == FAILED) {
                    return List.of(notLinearizable());
                }
            }
            return List.of();
        }

        /**
         * Undoes the last choice that had an alternative, and returns the entry to try next, or
         * {@link #FAILED} when none is left. {@code at} is where the search got stuck.
         */
        private Entry backtrack(Entry at) {
            if (stack.size() > deepest) {
                deepest = stack.size();
                List<Integer> shown = new ArrayList<>();
                shown.add(ops.get(at.pos));
                stack.stream().limit(3).forEach(f -> shown.add(ops.get(f.call().pos)));
                blocked = shown;
            }
            for (;;) {
                if (stack.isEmpty()) {
                    return FAILED;
                }
                Frame f = stack.pop();
                linearized.clear(f.call().pos);
                writers = f.writers();
                done = f.done();
                hi = f.hi();
                unlift(f.call());
                if (!f.readOnly()) {
                    return f.call().next;
                }
            }
        }

        private Anomaly notLinearizable() {
            List<Op> shown = blocked.stream().map(facts::op).toList();
            return new Anomaly(Anomaly.Kind.NOT_LINEARIZABLE, "no order of the " + ops.size() + " operations on keys "
                    + keyIndex.keySet() + " explains them all; the longest explainable prefix has " + deepest
                    + " operations, and the first operation shown could not be placed before it returned"
                    + (shown.size() > 1 ? " (then the last ones placed)" : ""), shown);
        }

        private Entry list() {
            List<Entry> entries = new ArrayList<>(2 * ops.size());
            for (int pos = 0; pos < ops.size(); pos++) {
                int i = ops.get(pos);
                Entry call = new Entry(pos, true, facts.op(i).invoked());
                entries.add(call);
                long returned = returnTime(i);
                if (returned != Long.MAX_VALUE) {
                    call.match = new Entry(pos, false, returned);
                    entries.add(call.match);
                }
            }
            // calls before returns at equal times: treating such operations as concurrent is the lenient choice
            entries.sort(Comparator.comparingLong((Entry x) -> x.time).thenComparing(x -> !x.call));
            Entry head = new Entry(-1, true, Long.MIN_VALUE);
            Entry last = head;
            for (Entry x : entries) {
                last.next = x;
                x.prev = last;
                last = x;
            }
            return head;
        }

        private long returnTime(int i) {
            Op op = facts.op(i);
            return op.outcome() instanceof Outcome.Unknown ? facts.seenBy[i] : op.completed();
        }

        private boolean isVersioned(int pos) {
            int i = ops.get(pos);
            return facts.applied[i] && facts.version[i] != Outcome.NONE;
        }

        /** Applies operation {@code pos} to the model; returns the new writers, or null if it cannot happen now. */
        private int[] step(int[] writers, int done, int pos) {
            int i = ops.get(pos);
            Op op = facts.op(i);
            switch (op.outcome()) {
                case Outcome.Read read -> {
                    for (Outcome.Seen seen : read.seen()) {
                        int writer = seen.value() == null ? -1 : facts.writerOfValue.getOrDefault(seen.value(), -2);
                        if (writers[keyIndex.get(seen.key())] != writer) {
                            return null;
                        }
                    }
                    return atRoot(read.version(), done) ? writers : null;
                }
                case Outcome.Refused refused -> {
                    Call.Write call = (Call.Write) op.call();
                    boolean couldFail = false;
                    for (Call.Require req : call.requires()) {
                        couldFail |= holds(writers, req.key(), req.version()) != Truth.TRUE;
                    }
                    boolean sawActual = refused.key() == null || refused.actual() < 0
                            || holds(writers, refused.key(), refused.actual()) != Truth.FALSE;
                    return couldFail && sawActual && atRoot(refused.version(), done) ? writers : null;
                }
                default -> {
                    if (facts.applied[i] && facts.version[i] != Outcome.NONE && rank.get(facts.version[i]) != done) {
                        return null;
                    }
                    Call.Write call = (Call.Write) op.call();
                    for (Call.Require req : call.requires()) {
                        if (holds(writers, req.key(), req.version()) == Truth.FALSE) {
                            return null;
                        }
                    }
                    int[] next = writers.clone();
                    for (Call.Put put : call.puts()) {
                        next[keyIndex.get(put.key())] = i;
                    }
                    return next;
                }
            }
        }

        /** Whether a read or refusal at root {@code version} may sit after the first {@code done} versioned writes. */
        private boolean atRoot(long version, int done) {
            return version == Outcome.NONE
                    || ((done == 0 || witnessed[done - 1] <= version) && (done == witnessed.length || witnessed[done] > version));
        }

        private Truth holds(int[] writers, String key, long expected) {
            int w = writers[keyIndex.get(key)];
            if (w < 0) {
                return expected == 0 ? Truth.TRUE : Truth.FALSE;
            }
            long v = facts.version[w];
            if (v != Outcome.NONE) {
                return v == expected ? Truth.TRUE : Truth.FALSE;
            }
            return expected == 0 || facts.opAtVersion.containsKey(expected) ? Truth.FALSE : Truth.MAYBE;
        }
    }

    private static int[] holes(BitSet linearized, int hi) {
        int n = 0;
        for (int i = linearized.nextClearBit(0); i < hi; i = linearized.nextClearBit(i + 1)) {
            n++;
        }
        int[] holes = new int[n];
        for (int i = linearized.nextClearBit(0), k = 0; i < hi; i = linearized.nextClearBit(i + 1)) {
            holes[k++] = i;
        }
        return holes;
    }

    private static void lift(Entry call) {
        remove(call);
        if (call.match != null) {
            remove(call.match);
        }
    }

    private static void unlift(Entry call) {
        if (call.match != null) {
            insert(call.match);
        }
        insert(call);
    }

    private static void remove(Entry x) {
        x.prev.next = x.next;
        if (x.next != null) {
            x.next.prev = x.prev;
        }
    }

    private static void insert(Entry x) {
        x.prev.next = x;
        if (x.next != null) {
            x.next.prev = x;
        }
    }
}
