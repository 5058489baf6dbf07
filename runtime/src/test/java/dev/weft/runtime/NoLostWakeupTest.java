package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class NoLostWakeupTest {
    private static final int HAND_OFFS = 2_000_000;

    /** Sends the ball back; ends when the ball reaches the last number. */
    static final class Player extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final Outbox<Integer> outbox = outbox(Integer.class);
        final CompletableFuture<Integer> lastSeen = new CompletableFuture<>();
        private final Watchdog watchdog;
        private final boolean serves;

        Player(Watchdog watchdog, boolean serves) {
            this.watchdog = watchdog;
            this.serves = serves;
        }

        @Override
        protected void run() throws InterruptedException {
            int expected = 0;
            if (serves) {
                outbox.send(0);
                expected = 1;
            }
            for (;;) {
                int ball = inbox.receive();
                if (ball != expected) {
                    lastSeen.completeExceptionally(new AssertionError("expected " + expected + " got " + ball));
                    return;
                }
                if ((ball & 0x3FFF) == 0) {
                    watchdog.progress().set(ball);
                }
                if (ball + 1 >= HAND_OFFS) {
                    if (ball + 1 == HAND_OFFS) {
                        outbox.send(ball + 1);
                    }
                    lastSeen.complete(ball);
                    return;
                }
                outbox.send(ball + 1);
                expected = ball + 2;
            }
        }
    }

    @Test
    void twoMillionPingPongHandOffsAllComplete() throws Exception {
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            Player ping = new Player(watchdog, true);
            Player pong = new Player(watchdog, false);
            ping.outbox.linkTo(pong.inbox);
            pong.outbox.linkTo(ping.inbox);
            weft.spawn(pong);
            weft.spawn(ping);

            int pingLast = watchdog.await(ping.lastSeen);
            int pongLast = watchdog.await(pong.lastSeen);

            assertThat(new int[] {pingLast, pongLast}).as("last ball each player saw")
                    .containsExactlyInAnyOrder(HAND_OFFS - 1, HAND_OFFS);
            assertThat(ping.join().state()).isEqualTo(ComponentState.FINISHED);
            assertThat(pong.join().state()).isEqualTo(ComponentState.FINISHED);
        }
    }
}
