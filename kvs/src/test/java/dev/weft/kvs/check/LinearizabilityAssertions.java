package dev.weft.kvs.check;

import static org.assertj.core.api.Assertions.assertThat;

/** The assertion every backend's linearizability run ends with, for this module's tests and other backends'. */
public final class LinearizabilityAssertions {
    private LinearizabilityAssertions() {
    }

    /**
     * Checks {@code run}'s history, prints the report, and fails unless every fault was injected, the
     * run committed, refused and read something, and the history is linearizable.
     */
    public static void assertLinearizable(Workload.Result run, KvTarget target) {
        Report report = LinearizabilityChecker.check(run.history());
        System.out.println(target.fault() + ": " + run + "\n" + report);
        History h = run.history();
        assertThat(run.faults()).as("faults injected: %s", run).isEqualTo(run.settings().faults());
        assertThat(h.count(Outcome.Committed.class)).as("commits").isPositive();
        assertThat(h.count(Outcome.Refused.class)).as("refused preconditions").isPositive();
        assertThat(h.count(Outcome.Read.class)).as("reads").isPositive();
        assertThat(report.isLinearizable()).as("%s\n%s", run, report).isTrue();
    }
}
