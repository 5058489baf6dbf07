package dev.weft.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** JMH view of {@link PingPong}: round trips per second, every peer in the same JMH run. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PingPongJmh {
    static final int ROUNDS = 100_000;

    @Param({"weft", "pekko", "park", "syncq"})
    public String peer;

    private Trial trial;

    @Setup(Level.Trial)
    public void setUp() {
        trial = PingPong.create(peer);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trial.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long roundTrips() throws Exception {
        return trial.run(ROUNDS);
    }
}
