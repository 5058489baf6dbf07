package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.ActorTest.Handler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Actors on the dispatcher: the start hook, no thread per actor, blocking inside and outside Weft. */
class ActorDispatchTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration NEVER = Duration.ofMinutes(10);

    /** Records what it did first; queued messages come after onStart. */
    static final class Starter extends Actor<String> {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Outbox<String> outbox = outbox(String.class);
        final CountDownLatch done = new CountDownLatch(3);

        Starter() {
            super(String.class);
        }

        @Override
        protected void onStart() throws InterruptedException {
            seen.add("start");
            outbox.send("hello from onStart");
            done.countDown();
        }

        @Override
        protected void onMessage(String message) {
            seen.add(message);
            done.countDown();
        }
    }

    @Test
    void onStartRunsAsTheFirstTurnBeforeAnyMessageWithNoKick() throws Exception {
        LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        try (Weft weft = Weft.start()) {
            Handler<String> sink = weft.spawn(new Handler<>("sink", String.class, out::put));
            Starter starter = new Starter();
            starter.outbox.linkTo(sink.inbox);
            starter.inbox.trySend("queued before spawn");

            weft.spawn(starter);
            starter.inbox.send("sent after spawn");

            assertThat(starter.done.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(starter.seen).containsExactly("start", "queued before spawn", "sent after spawn");
            assertThat(out.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello from onStart");
        }
    }

    @Test
    void anOnStartThatThrowsFailsTheActorAndOneThatFinishesEndsIt() throws Exception {
        try (Weft weft = Weft.start()) {
            Actor<String> failing = weft.spawn(new Actor<String>(String.class) {
                @Override
                protected void onStart() {
                    throw new IllegalStateException("no setup");
                }

                @Override
                protected void onMessage(String message) {
                }
            });
            Actor<String> finishing = weft.spawn(new Actor<String>(String.class) {
                @Override
                protected void onStart() {
                    finish();
                }

                @Override
                protected void onMessage(String message) {
                }
            });

            Terminated failed = failing.join(WAIT);
            assertThat(failed.state()).isEqualTo(ComponentState.FAILED);
            assertThat(failed.cause()).hasMessage("no setup");
            assertThat(finishing.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void spawningTenThousandActorsStartsNoThreadBeyondTheWorkers() throws Exception {
        int actors = 10_000;
        CountDownLatch started = new CountDownLatch(actors);
        try (Weft weft = Weft.builder().workers(2).stuckTurnThreshold(NEVER).start()) {
            for (int i = 0; i < actors; i++) {
                weft.spawn(new Actor<String>(String.class) {
                    @Override
                    protected void onStart() {
                        started.countDown();
                    }

                    @Override
                    protected void onMessage(String message) {
                    }
                });
            }

            assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every onStart ran").isTrue();
            assertThat(weft.dispatcher().workersStarted()).as("worker threads started").isLessThanOrEqualTo(2);
        }
    }

    /** Answers each number with its double. */
    static final class Doubler extends Actor<Ask> {
        Doubler() {
            super(Ask.class);
        }

        @Override
        protected void onMessage(Ask ask) {
            ask.replyTo().reply(ask.n() * 2);
        }
    }

    record Ask(int n, ReplyTo<Integer> replyTo) {
    }

    /** Asks the doubler from inside its handler: blocks inside Weft, on one worker. */
    static final class Asker extends Actor<Integer> {
        final LinkedBlockingQueue<Integer> answers = new LinkedBlockingQueue<>();
        private final Doubler doubler;

        Asker(Doubler doubler) {
            super(Integer.class);
            this.doubler = doubler;
        }

        @Override
        protected void onMessage(Integer n) throws InterruptedException {
            answers.put(doubler.inbox.<Integer>ask(r -> new Ask(n, r), WAIT));
        }
    }

    @Test
    void anActorAsksAnotherOnASingleWorkerBecauseBlockingHandsTheWorkerOn() throws Exception {
        try (Weft weft = Weft.builder().workers(1).stuckTurnThreshold(NEVER).start()) {
            Doubler doubler = weft.spawn(new Doubler());
            Asker asker = weft.spawn(new Asker(doubler));

            for (int i = 1; i <= 100; i++) {
                asker.inbox.send(i);
            }

            for (int i = 1; i <= 100; i++) {
                assertThat(asker.answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2 * i);
            }
            assertThat(weft.dispatcher().handOffs()).as("hand-offs by asks that blocked").isPositive();
            assertThat(weft.dispatcher().retakes()).as("no help needed from the monitor").isZero();
        }
    }

    @Test
    void anActorBlockedOutsideWeftHasItsWorkerReplacedSoTheActorItWokeRuns() throws Exception {
        CountDownLatch wokenRan = new CountDownLatch(1);
        AtomicInteger sawIt = new AtomicInteger();
        try (Weft weft = Weft.builder().workers(1).stuckTurnThreshold(Duration.ofMillis(20)).start()) {
            Handler<String> woken = weft.spawn(new Handler<>("woken", String.class, s -> wokenRan.countDown()));
            Handler<String> blocked = weft.spawn(new Handler<>("blocked", String.class, s -> {
                woken.inbox.send("wake up");                // into this worker's run-next
                if (wokenRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {   // a latch: not Weft
                    sawIt.incrementAndGet();
                }
            }));

            blocked.inbox.send("go");

            assertThat(wokenRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the woken actor ran").isTrue();
            Probes.awaitCondition(() -> sawIt.get() == 1, "the blocked handler to return");
            assertThat(weft.dispatcher().retakes()).as("workers the monitor replaced").isPositive();
        }
    }

    @Test
    void aStopThatRacesTheEndOfATurnNeverInterruptsTheNextActorsTurn() throws Exception {
        int rounds = 20_000;
        AtomicInteger interruptedTurns = new AtomicInteger();
        CountDownLatch handled = new CountDownLatch(2 * rounds);
        try (Weft weft = Weft.builder().workers(1).stuckTurnThreshold(NEVER).start()) {
            Handler<Integer> bystander = weft.spawn(new Handler<>("bystander", Integer.class, n -> {
                if (Thread.currentThread().isInterrupted()) {
                    interruptedTurns.incrementAndGet();
                }
                handled.countDown();
            }));
            for (int i = 0; i < rounds; i++) {
                Handler<Integer> target = weft.spawn(new Handler<>("target-" + i, Integer.class, n -> { }));
                target.inbox.send(i);
                bystander.inbox.send(i);
                target.stop();                                // while its turn may be ending
                bystander.inbox.send(i);
                target.join(WAIT);
            }
            assertThat(handled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(interruptedTurns.get()).as("bystander turns that saw another actor's stop").isZero();
    }
}
