package dev.weft.runtime;

import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck checks that {@link RunQueue} is linearizable: its owner pushes and polls (never two
 * owner operations at once), while other threads poll and steal half. Every interleaving the model
 * checker explores, and every stress run, must match some sequential order of the same operations.
 */
@Param(name = "unit", gen = IntGen.class, conf = "1:9")
public class RunQueueLincheckTest {
    private final RunQueue queue = new RunQueue();

    /** A unit that is only a number, so results compare by value. */
    record Unit(int id) implements Schedulable {
        @Override
        public boolean runTurn() {
            return false;
        }
    }

    @Operation(nonParallelGroup = "owner")
    public boolean push(@Param(name = "unit") int id) {
        return queue.push(new Unit(id));
    }

    @Operation(nonParallelGroup = "owner")
    public Integer ownerPoll() {
        return id(queue.poll());
    }

    @Operation
    public Integer otherPoll() {
        return id(queue.poll());
    }

    /** Steals into a fresh queue and returns what was taken, oldest first. */
    @Operation
    public List<Integer> steal() {
        RunQueue mine = new RunQueue();
        Schedulable last = mine.stealFrom(queue);
        List<Integer> taken = new ArrayList<>();
        for (Schedulable u; (u = mine.poll()) != null; ) {
            taken.add(id(u));
        }
        if (last != null) {
            taken.add(id(last));
        }
        return taken;
    }

    @Operation
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    private static Integer id(Schedulable u) {
        return u == null ? null : ((Unit) u).id();
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(20).invocationsPerIteration(1_000).threads(3).actorsPerThread(3)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(20).invocationsPerIteration(2_000).threads(3).actorsPerThread(4)
                .check(getClass());
    }
}
