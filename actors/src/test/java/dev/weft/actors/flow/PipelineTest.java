package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.Collector;
import dev.weft.actors.Source;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int MESSAGES = 1_000;
    private static final int FAN_OUT = 10;
    private static final int BUSY = 2_000;

    @Test
    void messagesFlowThroughEveryChildInOrderAndProducerFinishedEndsThePipeline() throws Exception {
        try (Weft weft = Weft.start()) {
            List<String> words = new ArrayList<>();
            IntStream.range(0, MESSAGES).forEach(i -> words.add(i % 10 == 0 ? " " : "x".repeat(i % 7 + 1)));
            Source<String> source = new Source<>(String.class, words);
            Stage<String, String> nonBlank = Stage.filter(String.class, s -> !s.isBlank());
            Stage<String, Integer> lengths = Stage.map(String.class, Integer.class, String::length);
            Pipeline<String, Integer> pipeline = Pipeline.of(String.class, Integer.class, nonBlank, lengths);
            Collector<Integer> sink = new Collector<>(Integer.class);
            weft.link(source.outbox, pipeline.inbox);
            weft.link(source.signal, pipeline.control);
            weft.link(pipeline.outbox, sink.inbox);
            weft.link(pipeline.signal, sink.control);

            weft.spawn(sink);
            weft.spawn(pipeline);
            weft.spawn(source);

            assertThat(pipeline.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            sink.finished.get();
            List<Integer> expected = words.stream().filter(s -> !s.isBlank()).map(String::length).toList();
            assertThat(List.copyOf(sink.seen)).as("every kept message, in order").isEqualTo(expected);
            assertThat(sink.signals).singleElement().isInstanceOfSatisfying(ProducerFinished.class,
                    pf -> assertThat(pf.producer()).as("the last child passed the news on").isSameAs(lengths));
            assertThat(pipeline.children()).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.FINISHED));
        }
    }

    @Test
    void shutdownReachesEveryChildAndEndsThePipeline() throws Exception {
        try (Weft weft = Weft.start()) {
            Pipeline<String, String> pipeline = Pipeline.of(String.class, String.class,
                    Stage.map(String.class, String.class, String::trim),
                    Stage.map(String.class, String.class, String::strip),
                    Stage.filter(String.class, s -> true));
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(pipeline.outbox, sink.inbox);
            weft.spawn(pipeline);
            pipeline.inbox.send(" a ");
            assertThat(sink.take(1)).containsExactly("a");

            pipeline.shutdown();

            assertThat(pipeline.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(pipeline.children()).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.FINISHED));
        }
    }

    /** Sends every message it takes {@value #FAN_OUT} times: keeps the next stage's inbox full. */
    private static final class FanOut extends Stage<Integer, Integer> {
        FanOut() {
            super(Integer.class, Integer.class);
        }

        @Override
        protected void onMessage(Integer n) throws InterruptedException {
            for (int i = 0; i < FAN_OUT; i++) {
                outbox.send(n);
            }
        }
    }

    /** Sends forever and never reads its control inbox: a child of the user's that ignores Shutdown. */
    private static final class Flood extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class);
        final Outbox<Integer> outbox = outbox("outbox", Integer.class);

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; ; i++) {
                outbox.send(i);
            }
        }
    }

    /** Sends to {@code inbox} from a platform thread until the inbox closes. */
    private static CompletableFuture<Void> feed(Inbox<Integer> inbox) {
        CompletableFuture<Void> fed = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; ; i++) {
                    inbox.send(i);
                }
            } catch (InboxClosedException closed) {
                fed.complete(null);
            } catch (Throwable t) {
                fed.completeExceptionally(t);
            }
        });
        return fed;
    }

    @Test
    void shuttingDownABusyPipelineEndsItAndItsStagesCleanly() throws Exception {
        try (Weft weft = Weft.start()) {
            Pipeline<Integer, Integer> pipeline = Pipeline.of(Integer.class, Integer.class,
                    new FanOut(), new FanOut(), Stage.map(Integer.class, Integer.class, n -> n));
            Collector<Integer> sink = weft.spawn(new Collector<>(Integer.class));
            weft.link(pipeline.outbox, sink.inbox);
            weft.spawn(pipeline);
            CompletableFuture<Void> fed = feed(pipeline.inbox);
            sink.take(BUSY);                       // every stage is busy, the first two blocked in send

            pipeline.shutdown();

            assertThat(pipeline.join(WAIT).state()).as("the pipeline asked for the shutdown")
                    .isEqualTo(ComponentState.FINISHED);
            assertThat(pipeline.children()).allSatisfy(c -> assertThat(c.state()).as(c.name())
                    .isEqualTo(ComponentState.FINISHED));
            fed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void aChildBlockedInSendWhenItsDownstreamObeysShutdownIsPartOfTheShutdown() throws Exception {
        try (Weft weft = Weft.start()) {
            Flood flood = new Flood();
            Pipeline<Integer, Integer> pipeline = Pipeline.of(Integer.class, Integer.class,
                    flood, Stage.map(Integer.class, Integer.class, n -> n));
            Collector<Integer> sink = weft.spawn(new Collector<>(Integer.class));
            weft.link(pipeline.outbox, sink.inbox);
            weft.spawn(pipeline);
            sink.take(BUSY);

            pipeline.shutdown();

            assertThat(pipeline.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            Terminated floodEnd = flood.join(WAIT);
            assertThat(floodEnd.state()).as("it ignored Shutdown and its send was refused")
                    .isEqualTo(ComponentState.FAILED);
            assertThat(floodEnd.cause()).isInstanceOf(InboxClosedException.class);
        }
    }

    @Test
    void aFailingChildShutsTheOthersDownAndFailsThePipelineWithItsCause() throws Exception {
        try (Weft weft = Weft.start()) {
            Stage<String, String> checker = Stage.map(String.class, String.class, s -> {
                if (s.equals("boom")) {
                    throw new IllegalStateException("cannot take boom");
                }
                return s;
            });
            Stage<String, String> after = Stage.filter(String.class, s -> true);
            Pipeline<String, String> pipeline = Pipeline.named("checked", String.class, String.class, checker, after);
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(pipeline.outbox, sink.inbox);
            weft.spawn(pipeline);

            pipeline.inbox.send("fine");
            pipeline.inbox.send("boom");

            Terminated end = pipeline.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(ChildFailedException.class)
                    .hasMessageContaining("checked").hasRootCauseMessage("cannot take boom");
            assertThat(after.state()).as("the healthy child was shut down").isEqualTo(ComponentState.FINISHED);
            assertThat(sink.take(1)).containsExactly("fine");
        }
    }

    @Test
    void neighboursThatDoNotFitAreRejectedAtConstructionNamingBoth() {
        Stage<String, Integer> lengths = Stage.map(String.class, Integer.class, String::length);
        Stage<String, String> upper = Stage.map(String.class, String.class, String::toUpperCase);

        assertThatThrownBy(() -> Pipeline.of(String.class, String.class, lengths, upper))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("child 0 (" + lengths.name() + ") sends java.lang.Integer")
                .hasMessageContaining("child 1 (" + upper.name() + ") takes java.lang.String");
    }

    @Test
    void thePipelinesOwnTypesMustFitItsEnds() {
        assertThatThrownBy(() -> Pipeline.of(Integer.class, String.class,
                Stage.map(String.class, String.class, s -> s)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes java.lang.Integer but its first child");
        assertThatThrownBy(() -> Pipeline.of(String.class, Integer.class,
                Stage.map(String.class, String.class, s -> s)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sends java.lang.Integer but its last child");
    }
}
