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

/** JMH view of {@link FanIn}: messages per second from 4 senders to 1 receiver, every peer in one run. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanInJmh extends TrialJmh {
    static final int MESSAGES = 1_000_000;

    @Param({"weft", "pekko", "park", "abq"})
    public String peer;

    @Override
    protected Trial createTrial() {
        return FanIn.create(peer);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long messages() throws Exception {
        return trial.run(MESSAGES);
    }
}
