package dev.weft.kvs.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The checker on generated histories that are right by construction, and on the same with one read made stale. */
class SimulatedHistoryTest {
    private static final int SEEDS = 15;
    private static final int OPS = 2_000;
    private static final int LARGE_OPS = 15_000;

    @ParameterizedTest(name = "{0} clients")
    @ValueSource(ints = {2, 8, 16})
    void generatedHistoriesWithUnknownOutcomesAndMissingWitnessesPass(int clients) {
        for (long seed = 1; seed <= SEEDS; seed++) {
            History h = new SimulatedHistory(clients, 4, OPS, 0.03, 0.2, seed).generate();
            Report report = LinearizabilityChecker.check(h);
            assertThat(report.isLinearizable()).as("seed %d: %s", seed, report).isTrue();
        }
    }

    @Test
    void generatedHistoriesWithoutAnyWitnessPassTheSearchAlone() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            History h = new SimulatedHistory(8, 4, OPS, 0.03, 1.0, seed).generate();
            Report report = LinearizabilityChecker.check(h);
            assertThat(report.isLinearizable()).as("seed %d: %s", seed, report).isTrue();
        }
    }

    @Test
    void aLargeHistoryIsDecidedWithinTheSearchBudget() {
        History h = new SimulatedHistory(12, 5, LARGE_OPS, 0.02, 0.1, 7).generate();
        Report report = LinearizabilityChecker.check(h);
        assertThat(report.isLinearizable()).as(report.toString()).isTrue();
        assertThat(report.search().ops()).isGreaterThan(LARGE_OPS / 2);
    }

    @Test
    void aReadMadeStaleInAGeneratedHistoryIsFound() {
        int planted = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            History h = new SimulatedHistory(8, 4, OPS, 0.03, 0.0, seed).generate();
            Optional<History> stale = plantStaleRead(h, seed);
            if (stale.isEmpty()) {
                continue;
            }
            planted++;
            Report report = LinearizabilityChecker.check(stale.get());
            assertThat(report.has(Anomaly.Kind.STALE_READ)).as("seed %d: %s", seed, report).isTrue();
            assertThat(report.has(Anomaly.Kind.NOT_LINEARIZABLE)).as("seed %d: %s", seed, report).isTrue();
        }
        assertThat(planted).as("histories with a read to make stale").isGreaterThan(SEEDS / 2);
    }

    /**
     * Replaces what one late read saw with the value of an older committed write of the same key
     * (both with versions), keeping the read's root version: then the read missed a write.
     */
    private static Optional<History> plantStaleRead(History h, long seed) {
        List<Op> ops = new ArrayList<>(h.ops());
        Map<String, Long> committed = new HashMap<>();
        for (Op w : ops) {
            if (w.outcome() instanceof Outcome.Committed c && c.version() > 0) {
                ((Call.Write) w.call()).puts().forEach(p -> committed.put(p.value(), c.version()));
            }
        }
        for (int i = ops.size() - 1 - (int) (seed % 50); i > 0; i--) {
            Op read = ops.get(i);
            if (!(read.outcome() instanceof Outcome.Read r) || r.seen().size() != 1
                    || !committed.containsKey(r.seen().get(0).value())) {
                continue;
            }
            Outcome.Seen seen = r.seen().get(0);
            for (Op w : ops) {
                if (w.outcome() instanceof Outcome.Committed c && c.version() > 0 && c.version() < seen.keyVersion()
                        && ((Call.Write) w.call()).valueAt(seen.key()) != null) {
                    Outcome.Seen old = new Outcome.Seen(seen.key(), ((Call.Write) w.call()).valueAt(seen.key()), c.version());
                    ops.set(i, new Op(read.id(), read.client(), read.call(), read.invoked(), read.completed(),
                            new Outcome.Read(r.version(), List.of(old))));
                    return Optional.of(new History(ops));
                }
            }
        }
        return Optional.empty();
    }
}
