package dev.weft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/** JMH view of {@link PingPong}: round trips per second, every peer in the same JMH run. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PingPongJmh extends TrialJmh {
    static final int ROUNDS = 100_000;

    @Param({"weft", "pekko", "park", "syncq"})
    public String peer;

    @Override
    protected Trial createTrial() {
        return PingPong.create(peer);
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long roundTrips() throws Exception {
        return trial.run(ROUNDS);
    }
}
