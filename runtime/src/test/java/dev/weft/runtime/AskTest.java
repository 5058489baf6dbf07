package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AskTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    record Add(int a, int b, ReplyTo<Integer> replyTo) {
    }

    /** Answers every Add, except that a = -1 throws and a = -2 keeps the request unanswered. */
    static final class Adder extends Actor<Add> {
        final LinkedBlockingQueue<Add> unanswered = new LinkedBlockingQueue<>();

        Adder() {
            super(Add.class);
        }

        @Override
        protected void onMessage(Add add) throws InterruptedException {
            switch (add.a()) {
                case -1 -> throw new IllegalArgumentException("cannot add " + add);
                case -2 -> unanswered.put(add);
                default -> add.replyTo().reply(add.a() + add.b());
            }
        }
    }

    /** A thread-style component that asks from its body and reports the answer. */
    static final class Asker extends Component {
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        private final Inbox<Add> adder;

        Asker(Inbox<Add> adder) {
            this.adder = adder;
        }

        @Override
        protected void run() throws InterruptedException {
            answer.complete(adder.ask(r -> new Add(20, 22, r), WAIT));
        }
    }

    @Test
    void askReturnsTheReplyToAPlainThreadAndToAComponentBody() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());

            int fromThread = adder.inbox.ask(r -> new Add(2, 3, r), WAIT);
            Asker asker = weft.spawn(new Asker(adder.inbox));

            assertThat(fromThread).isEqualTo(5);
            assertThat(asker.answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    @Test
    void askWithoutAReplyTimesOutWithAClearException() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());

            assertThatThrownBy(() -> adder.inbox.<Integer>ask(r -> new Add(-2, 0, r), Duration.ofMillis(50)))
                    .isInstanceOf(AskTimeoutException.class)
                    .hasMessageContaining("no reply from " + adder.inbox)
                    .hasMessageContaining("PT0.05S");
        }
    }

    @Test
    void askFailsWhenTheTargetEndsBeforeReplying() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());

            assertThatThrownBy(() -> adder.inbox.<Integer>ask(r -> new Add(-1, 0, r), WAIT))
                    .isInstanceOfSatisfying(AskTargetEndedException.class,
                            e -> assertThat(e.terminated().state()).isEqualTo(ComponentState.FAILED))
                    .hasMessageContaining("ended failed");
        }
    }

    @Test
    void askToAnAlreadyEndedTargetFailsAtOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());
            adder.stop();
            adder.join(WAIT);

            assertThatThrownBy(() -> adder.inbox.<Integer>ask(r -> new Add(1, 1, r), WAIT))
                    .isInstanceOfSatisfying(AskTargetEndedException.class,
                            e -> assertThat(e.terminated().state()).isEqualTo(ComponentState.STOPPED));
        }
    }

    @Test
    void aLateReplyIsDroppedAndCounted() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());
            assertThatThrownBy(() -> adder.inbox.<Integer>ask(r -> new Add(-2, 7, r), Duration.ofMillis(20)))
                    .isInstanceOf(AskTimeoutException.class);
            Add late = adder.unanswered.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(late.replyTo().isPending()).isFalse();

            late.replyTo().reply(7);

            assertThat(weft.meterRegistry().get("weft.ask.late.replies").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void answeringTwiceIsRefused() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());
            ReplyTo<?>[] kept = {null};
            int answer = adder.inbox.ask(r -> {
                kept[0] = r;
                return new Add(1, 2, r);
            }, WAIT);

            assertThat(answer).isEqualTo(3);
            @SuppressWarnings("unchecked")
            ReplyTo<Integer> again = (ReplyTo<Integer>) kept[0];
            assertThatThrownBy(() -> again.reply(4)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already answered");
        }
    }

    /** Asks itself on its first message and reports what happened. */
    static final class SelfAsker extends Actor<Add> {
        final CompletableFuture<Throwable> outcome = new CompletableFuture<>();

        SelfAsker() {
            super(Add.class);
        }

        @Override
        protected void onMessage(Add add) {
            try {
                inbox.<Integer>ask(r -> new Add(0, 0, r), WAIT);
                outcome.complete(null);
            } catch (Exception e) {
                outcome.complete(e);
            }
        }
    }

    @Test
    void anActorAskingItselfIsRefusedInsteadOfWaitingForTheTimeout() throws Exception {
        try (Weft weft = Weft.start()) {
            SelfAsker self = weft.spawn(new SelfAsker());
            self.inbox.send(new Add(0, 0, null));

            assertThat(self.outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("asked its own inbox");
        }
    }

    @Test
    void manyAsksLeaveNoWatcherBehindOnTheTarget() throws Exception {
        try (Weft weft = Weft.start()) {
            Adder adder = weft.spawn(new Adder());
            for (int i = 0; i < 10_000; i++) {
                assertThat(adder.inbox.<Integer>ask(r -> new Add(1, 1, r), WAIT)).isEqualTo(2);
            }
            assertThatThrownBy(() -> adder.inbox.<Integer>ask(r -> new Add(-2, 0, r), Duration.ofMillis(1)))
                    .isInstanceOf(AskTimeoutException.class);

            Field watchers = Component.class.getDeclaredField("watchers");
            watchers.setAccessible(true);
            assertThat(watchers.get(adder)).as("watchers left on the target after the asks").isNull();
        }
    }
}
