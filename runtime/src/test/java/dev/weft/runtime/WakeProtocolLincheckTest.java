package dev.weft.runtime;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import kotlin.Unit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.CustomScenarioDSLKt;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.verifier.EpsilonVerifier;
import org.junit.jupiter.api.Test;

/**
 * Model-checks the dispatcher's wake/idle protocol: threads submit units while the one worker looks
 * for work, registers as idle, re-checks and "parks" (the worker is driven step by step, without a
 * thread of its own, through the same {@link Worker#findOrIdle()} the real loop calls).
 *
 * <p>A wake may still be on its way while a step runs (a submitter that saw another's wake in
 * progress returns at once), so results are not compared with a sequential run. What must hold is
 * checked after every explored interleaving, once all operations have finished: if the worker is
 * asleep and nobody has woken it, no unit waits anywhere (no wake-up was lost), and the spinning
 * and parked counts match the worker.
 */
@Param(name = "unit", gen = IntGen.class, conf = "1:3")
public class WakeProtocolLincheckTest {
    private final List<Worker> started = new ArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher(1, Duration.ofMinutes(10), started::add);
    private final Worker worker;
    /** The simulated worker has parked and not yet run since. */
    private boolean asleep;

    public WakeProtocolLincheckTest() {
        dispatcher.wakeIfNeeded();                          // takes the only slot: one worker, spinning
        worker = started.get(0);
    }

    record Job(int id) implements Schedulable {
        @Override
        public boolean runTurn() {
            return false;
        }
    }

    @Operation
    public void submit(@Param(name = "unit") int id) {
        dispatcher.submit(new Job(id));
    }

    /** What the worker's loop does next: runs a unit (its id), parks ("park"), or is still asleep. */
    @Operation(nonParallelGroup = "worker")
    public Object step() {
        if (asleep) {
            if (!worker.isWoken()) {
                return "asleep";
            }
            asleep = false;
            worker.consumeWake();
        }
        for (;;) {
            Schedulable next = worker.findOrIdle();
            if (next == Worker.PARK) {
                asleep = true;
                return "park";
            }
            if (next != Worker.LOOK_AGAIN) {
                return ((Job) next).id();
            }
        }
    }

    @Validate
    public void countsMatchTheWorker() {
        boolean sleeping = asleep && !worker.isWoken();
        if (sleeping && dispatcher.workWaiting()) {
            throw new IllegalStateException("a unit waits while the only worker sleeps unwoken");
        }
        int spinning = worker.spinning || (asleep && worker.isWoken()) ? 1 : 0;
        if (dispatcher.spinningWorkers() != spinning) {
            throw new IllegalStateException("spinning count " + dispatcher.spinningWorkers() + ", expected " + spinning);
        }
        if (dispatcher.parkedWorkers() != (sleeping ? 1 : 0)) {
            throw new IllegalStateException("parked count " + dispatcher.parkedWorkers() + ", asleep " + sleeping);
        }
    }

    @Test
    void modelChecking() throws Exception {
        new ModelCheckingOptions().verifier(EpsilonVerifier.class).iterations(10).invocationsPerIteration(1_000)
                .threads(2).actorsPerThread(3)
                .addCustomScenario(wokenWorkerRacesASecondSubmit())
                .check(getClass());
    }

    /**
     * The worker parks; then one thread submits twice while the worker, woken by the first submit,
     * spins, finds the first unit, spins again and registers as idle: the second submit may see it
     * spinning and leave the wake-up to it, which only its re-check after registering catches.
     */
    private static ExecutionScenario wokenWorkerRacesASecondSubmit() throws NoSuchMethodException {
        Method step = WakeProtocolLincheckTest.class.getMethod("step");
        Method submit = WakeProtocolLincheckTest.class.getMethod("submit", int.class);
        return CustomScenarioDSLKt.scenario(scenario -> {
            scenario.initial(t -> {
                t.add(call(step));
                return Unit.INSTANCE;
            });
            scenario.parallel(p -> {
                p.thread(t -> {
                    t.add(call(step));
                    t.add(call(step));
                    t.add(call(step));
                    return Unit.INSTANCE;
                });
                p.thread(t -> {
                    t.add(call(submit, 1));
                    t.add(call(submit, 2));
                    return Unit.INSTANCE;
                });
                return Unit.INSTANCE;
            });
            return Unit.INSTANCE;
        });
    }

    private static Actor call(Method method, Object... args) {
        return new Actor(method, List.of(args), false, false, false, false, false);
    }
}
