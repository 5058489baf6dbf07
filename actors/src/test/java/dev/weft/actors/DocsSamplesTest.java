package dev.weft.actors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.actors.flow.Boxes;
import dev.weft.actors.flow.Carousel;
import dev.weft.actors.flow.ConsoleWriter;
import dev.weft.actors.flow.Graphline;
import dev.weft.actors.flow.Pipeline;
import dev.weft.actors.flow.PublishTo;
import dev.weft.actors.flow.Stage;
import dev.weft.actors.flow.SubscribeTo;
import dev.weft.actors.net.Framing;
import dev.weft.actors.net.TcpServer;
import dev.weft.actors.supervise.ChildSpec;
import dev.weft.actors.supervise.Restart;
import dev.weft.actors.supervise.Strategy;
import dev.weft.actors.supervise.Supervisor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Weft;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The samples of docs/components.md, kept compiling and running. */
class DocsSamplesTest {

    @Test
    void theOpeningPipelinePrintsTheLengthsOfTheNonBlankLines() throws Exception {
        StringWriter printed = new StringWriter();
        try (Weft weft = Weft.start()) {
            Pipeline<String, Integer> lengths = Pipeline.from(String.class)
                    .filter(s -> !s.isBlank())
                    .map(String::length)
                    .build(Integer.class);
            ConsoleWriter printer = new ConsoleWriter(printed);
            weft.link(lengths.outbox, printer.inbox);
            weft.link(lengths.signal, printer.control);
            weft.spawn(printer);
            weft.spawn(lengths);
            for (String s : List.of("one", " ", "three")) {
                lengths.inbox.send(s);
            }
            lengths.control.send(new ProducerFinished(null));
            printer.join();
        }
        assertThat(printed.toString().lines()).containsExactly("3", "5");
    }

    @Test
    void theTypedBuilderSampleTrimsMeasuresAndDoubles() throws Exception {
        try (Weft weft = Weft.start()) {
            Pipeline<String, Integer> doubled = Pipeline.from(String.class)
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(String::length)
                    .then(new Doubler())
                    .build();
            Collector<Integer> sink = weft.spawn(new Collector<>(Integer.class));
            weft.link(doubled.outbox, sink.inbox);
            weft.link(doubled.signal, sink.control);
            weft.spawn(doubled);

            for (String s : List.of(" ab ", "   ", "abc")) {
                doubled.inbox.send(s);
            }
            doubled.control.send(new ProducerFinished(null));

            sink.finished.get();
            assertThat(List.copyOf(sink.seen)).containsExactly(4, 6);
        }
    }

    @Test
    void theGraphlineSampleStripsAndMeasures() throws Exception {
        try (Weft weft = Weft.start()) {
            Graphline graph = Graphline.builder()
                    .inbox("inbox", String.class)
                    .outbox("outbox", Integer.class)
                    .child("clean", Stage.map(String.class, String.class, String::strip))
                    .child("length", Stage.map(String.class, Integer.class, String::length))
                    .link("self", "inbox", "clean", "inbox")
                    .link("clean", "outbox", "length", "inbox")
                    .link("length", "outbox", "self", "outbox")
                    .link("self", "control", "clean", "control")
                    .link("clean", "signal", "length", "control")
                    .link("length", "signal", "self", "signal")
                    .build();
            Collector<Integer> sink = weft.spawn(new Collector<>(Integer.class));
            weft.link(Boxes.outbox(graph, "outbox", Integer.class), sink.inbox);
            weft.link(graph.signal, sink.control);
            weft.spawn(graph);

            Boxes.inbox(graph, "inbox", String.class).send("  four  ");
            graph.control.send(new ProducerFinished(null));

            sink.finished.get();
            assertThat(List.copyOf(sink.seen)).containsExactly(4);
        }
    }

    @Test
    void theCarouselSampleTagsWithTheLatestTag() throws Exception {
        try (Weft weft = Weft.start()) {
            Carousel<String, String, String> tagger = Carousel.of(String.class, String.class, String.class,
                    tag -> Stage.map(String.class, String.class, s -> tag + s), "a:");
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(tagger.outbox, sink.inbox);
            weft.spawn(tagger);
            Component first = tagger.current();

            tagger.next.send("b:");
            Await.condition(() -> tagger.current() != first, "the new child");
            tagger.inbox.send("x");

            assertThat(sink.take(1)).containsExactly("b:x");
        }
    }

    @Test
    void theBackplaneSampleReachesTheSubscriber() throws Exception {
        try (Weft weft = Weft.start()) {
            SubscribeTo<String> news = weft.spawn(new SubscribeTo<>("news", String.class));
            Collector<String> reader = weft.spawn(new Collector<>(String.class));
            weft.link(news.outbox, reader.inbox);
            news.subscribed().get();
            PublishTo<String> desk = weft.spawn(new PublishTo<>("news", String.class));
            desk.inbox.send("hello");

            assertThat(reader.take(1)).containsExactly("hello");
        }
    }

    static final class SplitWords extends Stage<String, String> {
        SplitWords() {
            super(String.class, String.class);
        }

        @Override
        protected void onMessage(String line) throws InterruptedException {
            for (String word : line.split("\\s+")) {
                outbox.send(word);
            }
        }
    }

    @Test
    void theStageSampleSplitsLinesIntoWords() throws Exception {
        try (Weft weft = Weft.start()) {
            SplitWords split = new SplitWords();
            Collector<String> sink = weft.spawn(new Collector<>(String.class));
            weft.link(split.outbox, sink.inbox);
            weft.spawn(split);

            split.inbox.send("to be or");

            assertThat(sink.take(3)).containsExactly("to", "be", "or");
        }
    }

    @Test
    void theFramingSampleShoutsEveryLineBackTheLastOneWithoutANewlineToo() throws Exception {
        try (Weft weft = Weft.start()) {
            Framing<String> lines = Framing.lines(4096);
            TcpServer shout = weft.spawn(new TcpServer(0, adapter -> {
                Pipeline<byte[], byte[]> upper = Pipeline.from(byte[].class)
                        .then(lines.decoder(adapter))
                        .map(line -> line.toUpperCase(Locale.ROOT))
                        .then(lines.encoder(adapter))
                        .build();
                weft.pipe(adapter.outbox, upper.inbox);
                weft.pipe(upper.outbox, adapter.inbox);
                weft.spawn(upper);
            }));

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), shout.port())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("hello\nworld".getBytes(StandardCharsets.UTF_8));
                client.shutdownOutput();

                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .as("every line, then the end of the stream").isEqualTo("HELLO\nWORLD\n");
            }
        }
    }

    record Job(int n) {
    }

    static final class Worker extends Component {
        final Inbox<Job> inbox = inbox("inbox", Job.class);
        final Outbox<Integer> outbox = outbox("outbox", Integer.class);

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                outbox.send(inbox.receive().n() * 2);
            }
        }
    }

    @Test
    void theSupervisorSampleServesJobsThroughTheEntryAndTheKey() throws Exception {
        ServiceKey<Job> workerKey = ServiceKey.of("docs.worker", Job.class);
        try (Weft weft = Weft.builder().shutdownGrace(Duration.ofMillis(50)).start()) {
            Collector<Integer> results = weft.spawn(new Collector<>(Integer.class));
            Supervisor sup = Supervisor.builder()
                    .strategy(Strategy.ONE_FOR_ONE)
                    .intensity(5, Duration.ofSeconds(10))
                    .backoff(Duration.ofMillis(10), Duration.ofSeconds(1))
                    .child(ChildSpec.of("worker", Worker::new)
                            .restart(Restart.PERMANENT)
                            .entry("inbox", Job.class)
                            .link("outbox", results.inbox)
                            .register(workerKey, "inbox"))
                    .build();
            weft.spawn(sup);
            sup.entry("worker", "inbox", Job.class).send(new Job(21));
            assertThat(results.take(1)).containsExactly(42);

            Await.condition(() -> weft.services().lookup(workerKey) != null, "the worker's registration");
            weft.services().lookup(workerKey).send(new Job(5));
            assertThat(results.take(1)).containsExactly(10);
        }
    }
}
