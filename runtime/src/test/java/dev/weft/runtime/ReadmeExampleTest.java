package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Keeps the two-component example in README.md honest: the same code, printing into a list. */
class ReadmeExampleTest {
    static final List<String> PRINTED = new CopyOnWriteArrayList<>();

    static final class Numbers extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);

        @Override protected void run() throws InterruptedException {
            for (int i = 1; i <= 5; i++) outbox.send(i);
            signal().send(new ProducerFinished(this));
        }
    }

    static final class Printer extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);

        @Override protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, control());
                for (Integer n; (n = inbox.poll()) != null; ) PRINTED.add("got " + n);
                if (ready == control()) return;             // producer finished, inbox drained
            }
        }
    }

    @Test
    void theReadmeExamplePrintsEveryNumberThenEnds() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers numbers = new Numbers();
            Printer printer = new Printer();
            weft.link(numbers.outbox, printer.inbox);
            weft.link(numbers.signal(), printer.control());
            weft.spawn(printer);
            weft.spawn(numbers);

            assertThat(printer.join(Duration.ofSeconds(10)).state()).isEqualTo(ComponentState.FINISHED);
        }

        assertThat(PRINTED).containsExactly("got 1", "got 2", "got 3", "got 4", "got 5");
    }
}
