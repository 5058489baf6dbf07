package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.inspect.ComponentInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A consumer waiting for an end of input that nothing is linked to send is named, with the fix. */
class StallDiagnosisTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(50);

    /** Waits (watchdog: fails instead of hanging) until {@code c} is parked on its inboxes. */
    private static void awaitParked(Component c) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.isParked() || c.awaiting().length == 0) {
            assertThat(System.nanoTime()).as(c + " never parked").isLessThan(deadline);
            Thread.yield();
        }
    }

    /** Waits for a Shutdown on its control inbox, and nothing else. */
    static final class Idle extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    @Test
    void aConsumerWhoseEndedProducerWasNotLinkedToItsControlIsToldTheFix() throws Exception {
        try (Weft weft = Weft.start()) {
            EndOfInputTest.Numbers numbers = new EndOfInputTest.Numbers(3);
            ForEachTest.Collect collect = new ForEachTest.Collect(-1);
            weft.link(numbers.outbox, collect.inbox);              // data only: the classic mistake
            weft.spawn(collect);
            weft.spawn(numbers);
            numbers.join(WAIT);
            awaitParked(collect);

            assertThatThrownBy(() -> collect.join(SHORT))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class)
                    .hasMessageContaining(collect.name() + " is still RUNNING, waiting for a message on "
                            + collect.name() + ".inbox and " + collect.name() + ".control")
                    .hasMessageContaining("nothing is linked to " + collect.name() + ".control")
                    .hasMessageContaining("link the producer's signal to " + collect.name() + ".control")
                    .hasMessageContaining("weft.pipe(the producer's outbox, " + collect.name() + ".inbox)");
            assertThat(weft.diagnose()).singleElement().asString().startsWith(collect.name() + ": ");
        }
    }

    @Test
    void anIdleActorWhoseProducerWasNotLinkedToItsControlIsToldTheFixToo() throws Exception {
        try (Weft weft = Weft.start()) {
            EndOfInputTest.Numbers numbers = new EndOfInputTest.Numbers(3);
            java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(3);
            Actor<Integer> printer = Actor.of("printer", Integer.class, n -> handled.countDown());
            weft.link(numbers.outbox, printer.inbox);              // data only: the classic mistake
            weft.spawn(printer);
            weft.spawn(numbers);
            assertThat(handled.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (printer.awaiting().length < 2) {               // its last turn is ending
                assertThat(System.nanoTime()).as("printer never went idle").isLessThan(deadline);
                Thread.yield();
            }

            assertThatThrownBy(() -> printer.join(SHORT))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class)
                    .hasMessageContaining("printer is still RUNNING, waiting for a message on printer.inbox and "
                            + "printer.control")
                    .hasMessageContaining("nothing is linked to printer.control")
                    .hasMessageContaining("weft.pipe(");
            assertThat(weft.diagnose()).singleElement().asString().startsWith("printer: nothing is linked");
        }
    }

    @Test
    void aConsumerWithoutItsSignalLinkIsNamedWithTheMissingProducerAndTheFix() throws Exception {
        try (Weft weft = Weft.start()) {
            Idle numbers = new Idle();                             // a producer that is still running
            ForEachTest.Collect collect = new ForEachTest.Collect(-1);
            weft.link(numbers.outbox, collect.inbox);              // data only: the classic mistake
            weft.spawn(collect);
            weft.spawn(numbers);
            awaitParked(collect);

            assertThatThrownBy(() -> collect.join(SHORT))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class)
                    .hasMessageContaining(collect.name() + " is still RUNNING")
                    .hasMessageContaining(collect.name() + ".control")
                    .hasMessageContaining("nothing is linked to " + collect.name() + ".control")
                    .hasMessageContaining("link " + numbers.name() + ".signal to " + collect.name() + ".control")
                    .hasMessageContaining("weft.pipe(" + numbers.name() + ".outbox, " + collect.name() + ".inbox)");

            assertThat(weft.diagnose()).singleElement().asString()
                    .startsWith(collect.name() + ": nothing is linked to " + collect.name() + ".control");
            ComponentInfo info = weft.snapshot().components().stream()
                    .filter(c -> c.name().equals(collect.name())).findFirst().orElseThrow();
            assertThat(info.diagnosis()).contains("weft.pipe(");
        }
    }

    @Test
    void aConsumerWhoseProducerIsLinkedButBusyIsNotFlagged() throws Exception {
        try (Weft weft = Weft.start()) {
            Idle producer = new Idle();
            ForEachTest.Collect collect = new ForEachTest.Collect(-1);
            weft.pipe(producer.outbox, collect.inbox);
            weft.spawn(collect);
            weft.spawn(producer);
            awaitParked(collect);
            awaitParked(producer);

            assertThatThrownBy(() -> collect.join(SHORT))
                    .hasMessageContaining(collect.name() + " is still RUNNING, waiting for a message on")
                    .hasMessageNotContaining("nothing is linked");
            assertThat(weft.diagnose()).isEmpty();
            assertThat(weft.snapshot().components()).allSatisfy(c -> assertThat(c.diagnosis()).isNull());
        }
    }
}
