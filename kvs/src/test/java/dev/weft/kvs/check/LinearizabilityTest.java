package dev.weft.kvs.check;

import static dev.weft.kvs.check.LinearizabilityAssertions.assertLinearizable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.VersionNotRetainedException;
import dev.weft.kvs.View;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent clients against each backend while it is crashed and restarted, then the history
 * checked for linearizability. The default run is short; {@code mvn verify -Plinearizability-long}
 * runs a longer one (docs/testing.md).
 */
class LinearizabilityTest {
    private static final Workload.Settings SETTINGS = Workload.Settings.fromSystemProperties();
    /** Small runs for showing that the whole pipeline catches a broken store. */
    private static final Workload.Settings SHORT = new Workload.Settings(8, 4, 1_500, 2, Duration.ofSeconds(60), 7);

    @TempDir
    Path dir;

    @Test
    void theInProcessStoreIsLinearizableAcrossCloseAndReopen() throws Exception {
        try (InProcessTarget target = new InProcessTarget(KvsOptions.durable(dir))) {
            assertLinearizable(Workload.run(target, SETTINGS), target);
        }
    }

    @Test
    void theKvsServerIsLinearizableAcrossKillNine() throws Exception {
        try (ServerTarget target = ServerTarget.start(dir.resolve("data"), FsyncMode.BATCHED, dir.resolve("server.log"))) {
            assertLinearizable(Workload.run(target, SETTINGS), target);
        }
    }

    @Test
    void aStoreThatForgetsAcknowledgedCommitsWhenItRestartsIsCaught() throws Exception {
        try (InProcessTarget forgetful = new InProcessTarget(KvsOptions.inMemory())) {
            Workload.Result run = Workload.run(forgetful, SHORT);
            assertThat(run.faults()).isEqualTo(SHORT.faults());
            Report report = LinearizabilityChecker.check(run.history());
            assertThat(report.has(Anomaly.Kind.VERSION_REUSED)).as(report.toString()).isTrue();
            assertThat(report.has(Anomaly.Kind.REAL_TIME)).as(report.toString()).isTrue();
        }
    }

    @Test
    void aStoreWhoseReadsLagOneCommitBehindIsCaught() throws Exception {
        try (InProcessTarget lagging = new InProcessTarget(KvsOptions.durable(dir), LinearizabilityTest::oneBehind)) {
            Workload.Result run = Workload.run(lagging, SHORT);
            assertThat(run.faults()).isEqualTo(SHORT.faults());
            Report report = LinearizabilityChecker.check(run.history());
            assertThat(report.has(Anomaly.Kind.REAL_TIME)).as(report.toString()).isTrue();
            assertThat(report.has(Anomaly.Kind.NOT_LINEARIZABLE)).as(report.toString()).isTrue();
        }
    }

    /** The version before the latest, where it is still kept (a restarted store keeps only its latest). */
    private static View oneBehind(Namespace ns) throws InterruptedException {
        View latest = ns.latest();
        try {
            return latest.version() > 1 ? ns.at(latest.version() - 1) : latest;
        } catch (VersionNotRetainedException e) {
            return latest;
        }
    }
}
