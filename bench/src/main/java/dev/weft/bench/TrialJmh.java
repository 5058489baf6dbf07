package dev.weft.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** What every JMH view of a {@link Trial} shares: one trial per peer, opened before and closed after the run. */
@State(Scope.Benchmark)
public abstract class TrialJmh {
    protected Trial trial;

    /** Creates the trial of the peer named by the subclass's {@code @Param}. */
    protected abstract Trial createTrial();

    @Setup(Level.Trial)
    public void setUp() {
        trial = createTrial();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trial.close();
    }
}
