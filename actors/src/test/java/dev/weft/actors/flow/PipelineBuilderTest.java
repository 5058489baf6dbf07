package dev.weft.actors.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.Collector;
import dev.weft.actors.Doubler;
import dev.weft.actors.Source;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.TypeRef;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineBuilderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Runs {@code pipeline} on {@code input} and returns what comes out, once it has ended. */
    private static <I, O> List<O> run(Pipeline<I, O> pipeline, Class<I> in, Class<O> out, List<I> input) throws Exception {
        try (Weft weft = Weft.start()) {
            Source<I> source = new Source<>(in, input);
            Collector<O> sink = new Collector<>(out);
            weft.link(source.outbox, pipeline.inbox);
            weft.link(source.signal, pipeline.control);
            weft.link(pipeline.outbox, sink.inbox);               // checked at run time: the outbox's class must fit
            weft.link(pipeline.signal, sink.control);
            weft.spawn(sink);
            weft.spawn(pipeline);
            weft.spawn(source);
            assertThat(pipeline.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            sink.finished.get();
            assertThat(sink.signals).singleElement().isInstanceOf(ProducerFinished.class);
            return List.copyOf(sink.seen);
        }
    }

    @Test
    void theTypesFollowTheChainFromLambdasToAStageOfOnesOwn() throws Exception {
        Pipeline<String, Integer> lengths = Pipeline.from(String.class)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(String::length)
                .then(new Doubler())
                .build();

        assertThat(lengths.inbox.type()).isEqualTo(String.class);
        assertThat(lengths.outbox.type()).as("the last stage's class").isEqualTo(Integer.class);
        assertThat(run(lengths, String.class, Integer.class, List.of(" one ", "  ", "three")))
                .containsExactly(6, 10);
    }

    @Test
    void aLambdaBetweenTwoTypedStagesDeclaresTheClassesOfItsNeighbours() throws Exception {
        Stage<String, String> upper = Stage.map(String.class, String.class, s -> s.toUpperCase(Locale.ROOT));
        Pipeline<String, Integer> pipeline = Pipeline.from(String.class)
                .then(upper)
                .map(String::length)
                .filter(n -> n > 1)
                .then(new Doubler())
                .build();

        List<Integer> out = run(pipeline, String.class, Integer.class, List.of("a", "bb", "ccc"));

        assertThat(out).containsExactly(4, 6);
        Stage<?, ?> length = (Stage<?, ?>) pipeline.children().get(1);
        Stage<?, ?> filter = (Stage<?, ?>) pipeline.children().get(2);
        assertThat(length.inbox.type()).as("a lambda stage takes anything").isEqualTo(Object.class);
        assertThat(length.outbox.type()).as("between two lambdas").isEqualTo(Object.class);
        assertThat(filter.outbox.type()).as("what the next stage takes").isEqualTo(Integer.class);
    }

    @Test
    void aPipelineEndingInAMapIsGivenItsOutputClassAtBuild() throws Exception {
        Pipeline.Builder<String, Integer> endsInMap = Pipeline.from(String.class).map(String::length);

        assertThatThrownBy(endsInMap::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is a map").hasMessageContaining("build(Result.class)");
        Pipeline<String, Integer> lengths = endsInMap.build(Integer.class);
        assertThat(run(lengths, String.class, Integer.class, List.of("four"))).containsExactly(4);
    }

    @Test
    void aFilterKeepsTheKnownClass() throws Exception {
        Pipeline<String, String> nonEmpty = Pipeline.from(String.class).filter(s -> !s.isEmpty()).build();

        assertThat(nonEmpty.outbox.type()).isEqualTo(String.class);
        assertThat(run(nonEmpty, String.class, String.class, List.of("", "x", ""))).containsExactly("x");
    }

    @Test
    void aPipelineIsAStepOfAnotherAndGenericTypesComeInThroughTypeRef() throws Exception {
        Pipeline<List<String>, Integer> sizes = Pipeline.from(new TypeRef<List<String>>() {})
                .map(List::size)
                .build(Integer.class);
        Pipeline<String, Integer> outer = Pipeline.from(String.class)
                .map(line -> List.of(line.split(",")))
                .then(sizes)
                .named("outer")
                .build();

        assertThat(sizes.inbox.type()).isEqualTo(List.class);
        assertThat(outer.name()).isEqualTo("outer");
        assertThat(run(outer, String.class, Integer.class, List.of("a,b,c", "d"))).containsExactly(3, 1);
    }

    @Test
    void aChainBuildsOnePipelineOnly() {
        Pipeline.Builder<String, String> trimmed = Pipeline.from(String.class).map(String::trim).then(
                Stage.map(String.class, String.class, s -> s));
        trimmed.build();

        assertThatThrownBy(trimmed::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has built its pipeline already");
        assertThatThrownBy(() -> trimmed.filter(s -> true).build())
                .as("a builder made from a built chain").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aChainWithNoStepIsRefused() {
        assertThatThrownBy(() -> Pipeline.from(String.class).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one child");
    }

    /** The point of the builder: a stage that does not take what the chain sends does not compile. */
    @Test
    void theCompilerRejectsAStageWhoseInputDoesNotFit(@TempDir Path classes) throws IOException {
        String fits = """
                Pipeline<String, Integer> p = Pipeline.from(String.class).map(String::length)
                        .then(Stage.map(Integer.class, Integer.class, n -> n + 1)).build();""";
        String doesNotFit = """
                Pipeline<String, Integer> p = Pipeline.from(String.class).map(String::trim)
                        .then(Stage.map(Integer.class, Integer.class, n -> n + 1)).build();""";
        String wrongResult = """
                Pipeline<String, String> p = Pipeline.from(String.class).map(String::length).build(String.class);""";

        assertThat(compile(fits, classes)).as("a chain that fits compiles").isEmpty();
        assertThat(compile(doesNotFit, classes)).as("a String into a Stage<Integer, Integer>").isNotEmpty()
                .anySatisfy(error -> assertThat(error).contains("then"));
        assertThat(compile(wrongResult, classes)).as("an Integer pipeline declared as String").isNotEmpty();
    }

    /** Compiles {@code statement} inside a method against the test class path; returns the errors. */
    private static List<String> compile(String statement, Path classes) {
        String source = """
                import dev.weft.actors.flow.Pipeline;
                import dev.weft.actors.flow.Stage;
                class Snippet {
                    void snippet() {
                        %s
                    }
                }
                """.formatted(statement);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                "-proc:none");
        javac.getTask(null, null, diagnostics, options, null, List.of(file)).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d.getMessage(Locale.ROOT));
            }
        }
        return errors;
    }
}
