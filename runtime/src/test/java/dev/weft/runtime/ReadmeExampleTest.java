package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Keeps the two-component example in README.md honest: the same code, printing into a list. */
class ReadmeExampleTest {
    static final List<String> PRINTED = new CopyOnWriteArrayList<>();

    static class Numbers extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);
        protected void run() throws Exception { for (int i = 1; i <= 5; i++) outbox.send(i); }
    }

    @Test
    void theReadmeExamplePrintsEveryNumberThenEnds() throws Exception {
        Actor<Integer> printer;
        try (Weft weft = Weft.start()) {
            Numbers numbers = new Numbers();
            printer = Actor.of(Integer.class, n -> PRINTED.add("got " + n));
            weft.pipe(numbers.outbox, printer.inbox);
            weft.spawn(numbers); weft.spawn(printer).join(Duration.ofSeconds(10));
        }

        assertThat(printer.state()).isEqualTo(ComponentState.FINISHED);
        assertThat(PRINTED).containsExactly("got 1", "got 2", "got 3", "got 4", "got 5");
    }
}
