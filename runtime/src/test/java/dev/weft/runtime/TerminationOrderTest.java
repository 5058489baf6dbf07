package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A component's spawner hears of its end before anything its end causes. */
class TerminationOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ROUNDS = 300;
    private static final int UPSTREAM = 3;
    private static final Logger WEFT_LOG = Logger.getLogger(Weft.class.getName());

    private Level savedLevel;

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

    @BeforeEach
    void quietFailureLogs() {
        savedLevel = WEFT_LOG.getLevel();
        WEFT_LOG.setLevel(Level.OFF);
    }

    @AfterEach
    void restoreFailureLogs() {
        WEFT_LOG.setLevel(savedLevel);
    }

    @Test
    void theSpawnerHearsOfAFailureBeforeTheFailuresItsClosedInboxesCause() throws Exception {
        Queue<String> reports = new ConcurrentLinkedQueue<>();
        try (Weft weft = Weft.builder().onFailure(t -> reports.add(stackTrace(t.cause()))).start()) {
            for (int round = 0; round < ROUNDS; round++) {
                Parent parent = weft.spawn(new Parent());
                parent.failing.control().send(new Go());

                Terminated first = parent.firstFailure.get(WAIT.toSeconds(), TimeUnit.SECONDS);

                assertThat(first.component()).as("round %d: first failure reported was %s", round, first.cause())
                        .isSameAs(parent.failing);
                assertThat(parent.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
                reports.clear();
            }
        }
    }

    /** What a failure listener might do with the cause: render it, which takes a while. */
    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
