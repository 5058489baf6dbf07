package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code weft.pipe} links data and lifecycle together, so a two-component program ends by itself. */
class PipeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static final class Numbers extends Component {
        final Outbox<Integer> outbox = outbox("outbox", Integer.class);

        @Override
        protected void run() throws InterruptedException {
            for (int i = 1; i <= 3; i++) {
                outbox.send(i);
            }
            signal.send(new ProducerFinished(this));
        }
    }

    static final class Collect extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class);
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == inbox) {
                    seen.add(inbox.poll());
                } else if (control.poll() instanceof ProducerFinished) {
                    for (Integer n = inbox.poll(); n != null; n = inbox.poll()) {
                        seen.add(n);
                    }
                    return;
                }
            }
        }
    }

    @Test
    void aPipedConsumerHearsTheProducerFinishAndEnds() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers numbers = new Numbers();
            Collect collect = new Collect();
            weft.pipe(numbers.outbox, collect.inbox);
            weft.spawn(collect);
            weft.spawn(numbers);

            assertThat(collect.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(collect.seen).containsExactly(1, 2, 3);
        }
    }

    @Test
    void pipingASignalThatAlreadyGoesElsewhereIsRefusedAndChangesNothing() {
        Numbers numbers = new Numbers();
        Collect first = new Collect();
        Collect second = new Collect();
        numbers.signal.linkTo(first.control);

        assertThatThrownBy(() -> pipeIn(numbers, second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already goes to")
                .hasMessageContaining("link(");
        assertThat(numbers.outbox.isLinked()).isFalse();
        assertThat(numbers.signal.target()).isSameAs(first.control);
    }

    @Test
    void pipingToASinkThatIsNotAnInboxIsRefusedWithTheFix() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers numbers = new Numbers();
            Sink<Integer> remote = new Sink<>() {
                @Override
                public void send(Integer message) {
                }

                @Override
                public void send(Integer message, Duration timeout) {
                }

                @Override
                public boolean trySend(Integer message) {
                    return true;
                }

                @Override
                public <R> R ask(java.util.function.Function<? super ReplyTo<R>, ? extends Integer> request,
                        Duration timeout) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Class<Integer> type() {
                    return Integer.class;
                }
            };

            assertThatThrownBy(() -> weft.pipe(numbers.outbox, remote))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("use link instead");
        }
    }

    private static void pipeIn(Numbers numbers, Collect to) throws Exception {
        try (Weft weft = Weft.start()) {
            weft.pipe(numbers.outbox, to.inbox);
        }
    }
}
