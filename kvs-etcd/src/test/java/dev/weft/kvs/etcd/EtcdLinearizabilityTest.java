package dev.weft.kvs.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.kvs.check.History;
import dev.weft.kvs.check.LinearizabilityChecker;
import dev.weft.kvs.check.Outcome;
import dev.weft.kvs.check.Report;
import dev.weft.kvs.check.Workload;
import org.junit.jupiter.api.Test;

/**
 * The linearizability check of {@code LinearizabilityTest} (module kvs) on the etcd backend, with a
 * member of a three-member cluster killed with kill -9 at every fault. Same settings, same system
 * properties ({@code -Plinearizability-long} in this module runs the longer one).
 */
class EtcdLinearizabilityTest {
    /** The default run is smaller than the other backends' (a commit costs an fsync on each of three members). */
    private static final int DEFAULT_OPS = 6_000;

    @Test
    void theEtcdBackendIsLinearizableWhileClusterMembersAreKilled() throws Exception {
        try (EtcdTarget target = EtcdTarget.start()) {
            Workload.Settings s = Workload.Settings.fromSystemProperties();
            if (Integer.getInteger("weft.lin.ops") == null) {
                s = new Workload.Settings(s.clients(), s.keys(), DEFAULT_OPS, s.faults(), s.limit(), s.seed());
            }
            Workload.Result run = Workload.run(target, s);
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
}
