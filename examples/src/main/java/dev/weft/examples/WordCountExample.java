package dev.weft.examples;

import dev.weft.actors.flow.Boxes;
import dev.weft.actors.flow.ConsoleWriter;
import dev.weft.actors.flow.Graphline;
import dev.weft.actors.flow.Stage;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Weft;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A graphline of four children turns a generated text into its most frequent words. */
@Command(name = "word-count", mixinStandardHelpOptions = true,
        description = "A graphline reads a generated text, splits it into words, counts them and prints the most frequent.")
final class WordCountExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    static final List<String> VERSES = List.of(
            "The quick brown fox",
            "jumps over the lazy dog;",
            "the dog sleeps,",
            "the fox runs.");

    @Option(names = "--lines", defaultValue = "10000", description = "Lines of text to generate (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--top", defaultValue = "5", description = "How many words to print (default: ${DEFAULT-VALUE}).")
    int top;

    @Spec
    CommandSpec spec;

    /** Sends the verses over and over, {@code lines} lines in all, then ProducerFinished. */
    static final class Text extends Component {
        final Outbox<String> outbox = outbox("outbox", String.class);
        private final int lines;

        Text(int lines) {
            this.lines = lines;
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < lines; i++) {
                outbox.send(VERSES.get(i % VERSES.size()));
            }
            signal.send(new ProducerFinished(this));
        }
    }

    /** Splits a line into lower-case words, dropping punctuation. */
    static final class SplitWords extends Stage<String, String> {
        SplitWords() {
            super(String.class, String.class);
        }

        @Override
        protected void onMessage(String line) throws InterruptedException {
            for (String word : line.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}']+")) {
                outbox.send(word);
            }
        }
    }

    /** Counts words; when its input finishes, sends the {@code top} most frequent as "count word" lines. */
    static final class Count extends Component {
        final Inbox<String> inbox = inbox("inbox", String.class);
        final Outbox<String> outbox = outbox("outbox", String.class);
        private final int top;
        private final Map<String, Integer> counts = new HashMap<>();

        Count(int top) {
            this.top = top;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == inbox) {
                    counts.merge(inbox.poll(), 1, Integer::sum);
                    continue;
                }
                Signal s = control.poll();
                if (s instanceof Shutdown) {
                    return;
                }
                if (s instanceof ProducerFinished) {
                    for (String w = inbox.poll(); w != null; w = inbox.poll()) {
                        counts.merge(w, 1, Integer::sum);
                    }
                    List<Map.Entry<String, Integer>> ranked = counts.entrySet().stream()
                            .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                                    .thenComparing(Map.Entry.comparingByKey()))
                            .limit(top)
                            .toList();
                    for (Map.Entry<String, Integer> e : ranked) {
                        outbox.send(String.format("%8d %s", e.getValue(), e.getKey()));
                    }
                    signal.send(new ProducerFinished(this));
                    return;
                }
            }
        }
    }

    /** The graphline: text -> words -> non-empty -> count -> self.outbox, with signals along the same path. */
    static Graphline wordCount(int lines, int top) {
        return Graphline.builder()
                .name("word-count")
                .outbox("outbox", String.class)
                .child("text", new Text(lines))
                .child("words", new SplitWords())
                .child("nonEmpty", Stage.filter(String.class, w -> !w.isEmpty()))
                .child("count", new Count(top))
                .link("text", "outbox", "words", "inbox")
                .link("words", "outbox", "nonEmpty", "inbox")
                .link("nonEmpty", "outbox", "count", "inbox")
                .link("count", "outbox", "self", "outbox")
                .link("text", "signal", "words", "control")
                .link("words", "signal", "nonEmpty", "control")
                .link("nonEmpty", "signal", "count", "control")
                .link("count", "signal", "self", "signal")
                .build();
    }

    @Override
    public Integer call() throws Exception {
        if (lines < 0 || top < 1) {
            throw new ParameterException(spec.commandLine(), "--lines must be >= 0 and --top >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Weft weft = inspect.start(Weft.builder())) {
            Graphline graph = wordCount(lines, top);
            ConsoleWriter printer = new ConsoleWriter(out);
            weft.link(Boxes.outbox(graph, "outbox", String.class), printer.inbox);
            weft.link(graph.signal, printer.control);
            out.printf("the %d most frequent words in %,d lines:%n", top, lines);
            weft.spawn(printer);
            weft.spawn(graph);
            printer.join();
            out.flush();
            return graph.join().failed() ? 1 : 0;
        }
    }
}
