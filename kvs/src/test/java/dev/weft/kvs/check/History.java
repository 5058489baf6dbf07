package dev.weft.kvs.check;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A recorded history: every operation, in the order they were invoked. */
public record History(List<Op> ops) {
    public History {
        ops = ops.stream().sorted(Comparator.comparingLong(Op::invoked).thenComparingInt(Op::id)).toList();
        Set<Integer> ids = new HashSet<>();
        for (Op op : ops) {
            if (!ids.add(op.id())) {
                throw new IllegalArgumentException("two operations have id " + op.id());
            }
        }
    }

    /** Returns how many operations ended with an outcome of {@code type}. */
    public long count(Class<? extends Outcome> type) {
        return ops.stream().filter(op -> type.isInstance(op.outcome())).count();
    }

    /** Returns how many operations are calls of {@code type}. */
    public long countCalls(Class<? extends Call> type) {
        return ops.stream().filter(op -> type.isInstance(op.call())).count();
    }

    /** Describes {@code op} with its times in milliseconds since the history began. */
    public String describe(Op op) {
        long start = ops.isEmpty() ? 0 : ops.get(0).invoked();
        String done = op.completed() == Long.MAX_VALUE ? "?" : millis(op.completed() - start);
        return "#" + op.id() + " client " + op.client() + " [" + millis(op.invoked() - start) + ".." + done + " ms] "
                + op.call() + " -> " + op.outcome();
    }

    private static String millis(long nanos) {
        return String.format("%.3f", nanos / 1e6);
    }

    @Override
    public String toString() {
        return "History[" + ops.size() + " ops]";
    }
}
