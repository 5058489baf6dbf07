package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What happens to messages sent to a component that has ended: refused, and counted dead once. */
class ClosedInboxTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Ends at once, without ever touching its control inbox. */
    static final class Quick extends Component {
        @Override
        protected void run() {
        }
    }

    /** A component with a signal-typed outbox it sends on when told, from its own body. */
    static final class Signaller extends Component {
        final Inbox<String> inbox = inbox(String.class);
        final Outbox<Signal> out = outbox("out", Signal.class);

        @Override
        protected void run() throws InterruptedException {
            inbox.receive();
            out.send(new Shutdown());
        }
    }

    private static double dead(Weft weft) {
        return weft.meterRegistry().get("weft.messages.dead").functionCounter().count();
    }

    @Test
    void aShutdownSentToTheControlOfAnEndedComponentIsRefusedAndCountedDead() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);

            assertThatThrownBy(() -> quick.control().send(new Shutdown()))
                    .isInstanceOf(InboxClosedException.class)
                    .hasMessageContaining("control")
                    .hasMessageContaining(quick.name());
        }
    }

    @Test
    void everySendToTheControlOfAnEndedComponentCountsOneDeadLetter() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);
            double before = dead(weft);

            quick.shutdown();
            assertThatThrownBy(() -> quick.control().trySend(new Shutdown())).isInstanceOf(InboxClosedException.class);

            assertThat(dead(weft) - before).isEqualTo(2);
        }
    }

    @Test
    void aSignalOutboxLinkedToTheControlOfAnEndedComponentFailsTheSender() throws Exception {
        try (Weft weft = Weft.start()) {
            Quick quick = weft.spawn(new Quick());
            quick.join(WAIT);
            Signaller signaller = new Signaller();
            weft.link(signaller.out, quick.control());
            weft.spawn(signaller);
            double before = dead(weft);

            signaller.inbox.send("go");

            Terminated end = signaller.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(InboxClosedException.class);
            assertThat(dead(weft) - before).isEqualTo(1);
        }
    }
}
