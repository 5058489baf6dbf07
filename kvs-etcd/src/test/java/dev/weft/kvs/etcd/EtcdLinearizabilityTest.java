package dev.weft.kvs.etcd;

import static dev.weft.kvs.check.LinearizabilityAssertions.assertLinearizable;

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
            assertLinearizable(Workload.run(target, s), target);
        }
    }
}
