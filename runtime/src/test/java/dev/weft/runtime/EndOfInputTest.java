package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A component that finishes tells its signal outbox ProducerFinished by itself, once. */
class EndOfInputTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Runs {@code body} as its run(). */
    static final class Body extends Component {
        private final ThrowingBody body;

        Body(ThrowingBody body) {
            this.body = body;
        }

        @Override
        protected void run() throws Exception {
            body.run(this);
        }
    }

    interface ThrowingBody {
        void run(Component self) throws Exception;
    }

    /** Records every signal that reaches {@code signals}, until Shutdown on its control inbox. */
    static final class Recorder extends Component {
        final Inbox<Signal> signals = unboundedInbox("signals", Signal.class);
        final List<Signal> seen = new CopyOnWriteArrayList<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(signals, control);
                for (Signal s; (s = signals.poll()) != null; ) {
                    seen.add(s);
                }
                if (ready == control) {
                    return;
                }
            }
        }
    }

    private static List<Signal> signalsOf(Component producer) throws Exception {
        try (Weft weft = Weft.start()) {
            Recorder recorder = new Recorder();
            weft.link(producer.signal, recorder.signals);
            weft.spawn(recorder);
            weft.spawn(producer);
            producer.join(WAIT);
            recorder.shutdown();
            recorder.join(WAIT);
            return recorder.seen;
        }
    }

    @Test
    void aBodyThatReturnsSendsProducerFinishedOnce() throws Exception {
        Body producer = new Body(self -> { });
        assertThat(signalsOf(producer)).containsExactly(new ProducerFinished(producer));
    }

    @Test
    void aBodyThatSentProducerFinishedItselfGetsNoSecondOne() throws Exception {
        Body producer = new Body(self -> self.signal.send(new ProducerFinished(self)));
        assertThat(signalsOf(producer)).containsExactly(new ProducerFinished(producer));
    }

    @Test
    void aBodyThatSentShutdownDownstreamGetsNoProducerFinishedAfterIt() throws Exception {
        Shutdown sent = new Shutdown();
        Body producer = new Body(self -> self.signal.send(sent));
        assertThat(signalsOf(producer)).containsExactly(sent);
    }

    @Test
    void aFailedBodySendsNoProducerFinished() throws Exception {
        Body producer = new Body(self -> {
            throw new IllegalStateException("planned");
        });
        assertThat(signalsOf(producer)).isEmpty();
        assertThat(producer.state()).isEqualTo(ComponentState.FAILED);
    }

    @Test
    void anUnlinkedSignalStaysSilent() throws Exception {
        try (Weft weft = Weft.start()) {
            Body producer = weft.spawn(new Body(self -> { }));
            assertThat(producer.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(weft.metrics().discarded.sum()).isZero();
        }
    }

    static final class Summer extends Actor<Integer> {
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        Summer() {
            super(Integer.class);
        }

        @Override
        protected void onMessage(Integer n) {
            seen.add(n);
        }
    }

    /** Sends 0 .. count-1 and returns: no end-of-input code of its own. */
    static final class Numbers extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final int count;

        Numbers(int count) {
            this.count = count;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < count; i++) {
                outbox.send(i);
            }
        }
    }

    @Test
    void anActorEndsOnProducerFinishedAfterItsQueuedMessagesAndPassesItOn() throws Exception {
        int count = 1_000;
        try (Weft weft = Weft.start()) {
            Summer summer = new Summer();
            Recorder recorder = new Recorder();
            Numbers producer = new Numbers(count);
            weft.pipe(producer.outbox, summer.inbox);
            weft.link(summer.signal, recorder.signals);
            weft.spawn(recorder);
            weft.spawn(summer);
            weft.spawn(producer);

            assertThat(summer.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(summer.seen).hasSize(count);
            recorder.shutdown();
            recorder.join(WAIT);
            assertThat(recorder.seen).containsExactly(new ProducerFinished(summer));
        }
    }
}
