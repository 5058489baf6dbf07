package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a recorded {@link History} of a key-value store is linearizable: whether some
 * order of its operations, each placed between its invocation and its completion, explains every
 * outcome with a sequential store.
 *
 * <pre>{@code
 * Report report = LinearizabilityChecker.check(recorder.history());
 * assertThat(report.anomalies()).as(report.toString()).isEmpty();
 * }</pre>
 *
 * <p>Two passes. The witness check uses the versions the store returned (a commit's root version, a
 * read's version, the key version a refusal found): it replays commits in version order, checks
 * every read against the state at its version, every precondition against the commit before it, no
 * two commits at one version (an acknowledged commit that was lost and its version reused), and
 * real-time order. Then a Wing–Gong/Lowe search settles what has no witness: unknown outcomes,
 * reads without versions, refusals that do not say what they found.
 *
 * <p>Histories must write every value once, start with every key missing, and hold every write the
 * store saw (no other writer).
 */
public final class LinearizabilityChecker {
    private LinearizabilityChecker() {
    }

    /** Checks {@code history}, with a search budget of {@link Search#BUDGET_PER_OP} states per operation (at least {@link Search#MIN_BUDGET}). */
    public static Report check(History history) {
        return check(history, Math.max(Search.MIN_BUDGET, Search.BUDGET_PER_OP * history.ops().size()));
    }

    /** Checks {@code history}, giving up the search after {@code budget} visited states (an INCONCLUSIVE anomaly). */
    public static Report check(History history, long budget) {
        Facts facts = new Facts(history);
        List<Anomaly> anomalies = new ArrayList<>(facts.anomalies);
        anomalies.addAll(WitnessCheck.run(facts));
        Search.Result search = Search.run(facts, budget);
        anomalies.addAll(search.anomalies());
        return new Report(history, anomalies, search.stats());
    }
}
