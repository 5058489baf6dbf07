package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
            control.receive();
            throw new IllegalStateException("the failing stage broke");
        }
    }

    /** The failing stage as an actor: takes what comes, and fails on Go, ending on a worker's thread. */
    static final class FailingActor extends Actor<Integer> {
        FailingActor() {
            super("failing actor", Integer.class, 2);
        }

        @Override
        protected void onMessage(Integer n) {
        }

        @Override
        protected void onSignal(Signal signal) {
            if (signal instanceof Go) {
                throw new IllegalStateException("the failing actor broke");
            }
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
        final Component failing;
        final CompletableFuture<Terminated> firstFailure = new CompletableFuture<>();
        private final Inbox<Integer> failingInbox;

        Parent(Failing failing) {
            this.failing = failing;
            this.failingInbox = failing.inbox;
        }

        Parent(FailingActor failing) {
            this.failing = failing;
            this.failingInbox = failing.inbox;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(failing);
            for (int i = 0; i < UPSTREAM; i++) {
                spawn(new Upstream(failingInbox));
            }
            int ended = 0;
            while (ended < UPSTREAM + 1) {
                if (control.receive() instanceof Terminated t) {
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
        assertTheSpawnerHearsFirst(() -> new Parent(new Failing()));
    }

    @Test
    void theSpawnerHearsFirstOfAnActorThatFailsOnAWorker() throws Exception {
        assertTheSpawnerHearsFirst(() -> new Parent(new FailingActor()));
    }

    private static void assertTheSpawnerHearsFirst(Supplier<Parent> parents) throws Exception {
        try (Weft weft = Weft.start()) {
            for (int round = 0; round < ROUNDS; round++) {
                Parent parent = weft.spawn(parents.get());
                parent.failing.control.send(new Go());

                Terminated first = parent.firstFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                assertThat(first.component()).as("round %d: first failure reported was %s", round, first.cause())
                        .isSameAs(parent.failing);
                assertThat(parent.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            }
        }
    }
}
