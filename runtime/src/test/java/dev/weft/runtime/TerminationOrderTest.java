package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A component's spawner hears of its end before anything its end causes. */
class TerminationOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ROUNDS = 300;
    private static final int UPSTREAM = 3;

    record Go() implements Signal {
    }

    /** Never takes from its small inbox; fails when told to. */
    static final class Failing extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 2);

        Failing() {
            super("failing");
        }

        @Override
        protected void run() throws InterruptedException {
            control().receive();
            throw new IllegalStateException("the failing stage broke");
        }
    }

    /** Sends into {@code to} until that fails, which then fails this component too. */
    static final class Upstream extends Component {
        private final Inbox<Integer> to;

        Upstream(Inbox<Integer> to) {
            this.to = to;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int n = 0; ; n++) {
                to.send(n);
            }
        }
    }

    /** Spawns one failing child and a few upstream senders, and reports the first failure it hears of. */
    static final class Parent extends Component {
        final Failing failing = new Failing();
        final CompletableFuture<Terminated> firstFailure = new CompletableFuture<>();

        @Override
        protected void run() throws InterruptedException {
            spawn(failing);
            for (int i = 0; i < UPSTREAM; i++) {
                spawn(new Upstream(failing.inbox));
            }
            int ended = 0;
            while (ended < UPSTREAM + 1) {
                if (control().receive() instanceof Terminated t) {
                    ended++;
                    if (t.failed()) {
                        firstFailure.complete(t);
                    }
                }
            }
        }
    }

    @Test
    void theSpawnerHearsOfAFailureBeforeTheFailuresItsClosedInboxesCause() throws Exception {
        try (Weft weft = Weft.start()) {
            for (int round = 0; round < ROUNDS; round++) {
                Parent parent = weft.spawn(new Parent());
                parent.failing.control().send(new Go());

                Terminated first = parent.firstFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                assertThat(first.component()).as("round %d: first failure reported was %s", round, first.cause())
                        .isSameAs(parent.failing);
                assertThat(parent.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            }
        }
    }
}
