package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Weft;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class UtilitiesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aSplitterSendsEveryMessageToEveryBranchAndTellsEachBranchWhenInputEnds() throws Exception {
        try (Weft weft = Weft.start()) {
            Source<Integer> source = new Source<>(Integer.class, List.of(1, 2, 3));
            Splitter<Integer> split = new Splitter<>(Integer.class, 3);
            List<Collector<Integer>> branches = List.of(new Collector<>(Integer.class),
                    new Collector<>(Integer.class), new Collector<>(Integer.class));
            weft.link(source.outbox, split.inbox);
            weft.link(source.signal, split.control);
            for (int i = 0; i < 3; i++) {
                weft.link(split.outbox(i), branches.get(i).inbox);
                weft.link(split.signal(i), branches.get(i).control);
                weft.spawn(branches.get(i));
            }
            weft.spawn(split);
            weft.spawn(source);

            for (Collector<Integer> branch : branches) {
                branch.finished.get();
                assertThat(List.copyOf(branch.seen)).containsExactly(1, 2, 3);
                assertThat(branch.signals).singleElement().isInstanceOf(ProducerFinished.class);
            }
            assertThat(split.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void aTickerSendsTheGivenNumberOfTicksThenFinishes() throws Exception {
        try (Weft weft = Weft.start()) {
            Ticker ticker = new Ticker(Duration.ofMillis(2), 5);
            Collector<Long> ticks = new Collector<>(Long.class);
            weft.link(ticker.outbox, ticks.inbox);
            weft.link(ticker.signal, ticks.control);
            weft.spawn(ticks);
            long start = System.nanoTime();
            weft.spawn(ticker);

            ticks.finished.get();

            assertThat(List.copyOf(ticks.seen)).isEqualTo(LongStream.rangeClosed(1, 5).boxed().toList());
            assertThat(System.nanoTime() - start).as("five periods at least").isGreaterThanOrEqualTo(10_000_000L);
        }
    }

    @Test
    void aTickerEndsOnShutdown() throws Exception {
        try (Weft weft = Weft.start()) {
            Ticker ticker = new Ticker(Duration.ofHours(1));
            weft.link(ticker.outbox, weft.spawn(new Collector<>(Long.class)).inbox);
            weft.spawn(ticker);

            ticker.shutdown();

            assertThat(ticker.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void consoleReaderAndWriterCarryLinesEndToEnd() throws Exception {
        try (Weft weft = Weft.start()) {
            StringWriter out = new StringWriter();
            ConsoleReader reader = new ConsoleReader(new StringReader("one\ntwo\nthree\n"));
            ConsoleWriter writer = new ConsoleWriter(out);
            weft.link(reader.outbox, writer.inbox);
            weft.link(reader.signal, writer.control);
            weft.spawn(writer);
            weft.spawn(reader);

            assertThat(writer.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(out.toString().lines().toList()).containsExactly("one", "two", "three");
        }
    }
}
