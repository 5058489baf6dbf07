package dev.weft.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Weft;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine and checks their outcome. The classes are
 * nested, so the build's own test run skips them; only these checks run them.
 */
class WeftExtensionTest {
    static final AtomicReference<Weft> lastRuntime = new AtomicReference<>();
    static final AtomicReference<Doubler> lastComponent = new AtomicReference<>();

    @ExtendWith(WeftExtension.class)
    static class AComponentFailsUnexpectedly {
        @Test
        void feedsADoublerANegativeNumber(Weft weft) throws Exception {
            Doubler doubler = weft.spawn(new Doubler());
            doubler.inbox.send(-5);
            doubler.join();
        }
    }

    static class AComponentFailsAsExpected {
        @RegisterExtension
        final WeftExtension weft = new WeftExtension();

        @Test
        void feedsADoublerANegativeNumber() throws Exception {
            Doubler doubler = weft.weft().spawn(new Doubler());
            weft.expectFailure(doubler);
            doubler.inbox.send(-5);
            doubler.join();
        }
    }

    @ExtendWith(WeftExtension.class)
    static class AComponentOutlivesItsTest {
        @Test
        void leavesADoublerRunning(Weft weft) {
            lastRuntime.set(weft);
            lastComponent.set(weft.spawn(new Doubler()));
        }
    }

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
    }

    @Test
    void aComponentThatFailsUnexpectedlyFailsTheTestAndNamesTheCause() {
        Events events = run(AComponentFailsUnexpectedly.class);

        events.assertStatistics(stats -> stats.started(1).succeeded(0).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("feedsADoublerANegativeNumber"),
                finishedWithFailure(instanceOf(AssertionError.class),
                        message(m -> m.contains("Doubler") && m.contains("failed unexpectedly")))));
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(failure.getCause()).as("the component's own exception").hasMessage("negative: -5");
    }

    @Test
    void aFailureTheTestExpectedDoesNotFailIt() {
        run(AComponentFailsAsExpected.class).assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
    }

    @Test
    void eachTestGetsARuntimeThatIsClosedAfterIt() {
        run(AComponentOutlivesItsTest.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(lastRuntime.get().liveComponents()).isZero();
        assertThat(lastComponent.get().state()).isEqualTo(ComponentState.FINISHED);
    }
}
