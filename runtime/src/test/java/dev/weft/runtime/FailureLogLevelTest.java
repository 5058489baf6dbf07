package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A failure is logged at the component's own level; a supervising spawner's children not at all. */
class FailureLogLevelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final LogCapture log = new LogCapture(Weft.class.getName());

    @BeforeEach
    void captureTheRuntimesLog() {
        log.attach();
    }

    @AfterEach
    void restoreTheRuntimesLog() {
        log.detach();
    }

    static final class Fails extends Component {
        Fails(String name) {
            super(name);
        }

        @Override
        protected void run() {
            throw new IllegalStateException("planned failure of " + name());
        }
    }

    /** Spawns one failing child and waits for its end; reports child failures itself if told to. */
    static final class Parent extends Component {
        private final boolean reports;
        final Fails child;

        Parent(String name, boolean reports) {
            super(name);
            this.reports = reports;
            this.child = new Fails(name + "-child");
        }

        @Override
        protected boolean reportsChildFailures() {
            return reports;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(child);
            while (!(control.receive() instanceof Terminated)) {
                // wait for the child's end
            }
        }
    }

    private List<LogRecord> about(String name) {
        return log.records().stream().filter(r -> r.getMessage().equals("component " + name + " failed")).toList();
    }

    @Test
    void aFailureIsLoggedAtWarningUnlessTheComponentSaysOtherwise() throws Exception {
        try (Weft weft = Weft.start()) {
            weft.spawn(new Fails("loud")).join(WAIT);
            weft.spawn((Fails) new Fails("quiet").failureLogLevel(System.Logger.Level.DEBUG)).join(WAIT);
            weft.spawn((Fails) new Fails("silent").failureLogLevel(System.Logger.Level.OFF)).join(WAIT);
            assertThat(weft.metrics().failed.sum()).as("every failure is still counted").isEqualTo(3);
        }
        assertThat(about("loud")).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getThrown()).hasMessage("planned failure of loud");
        });
        assertThat(about("quiet")).singleElement().extracting(LogRecord::getLevel).isEqualTo(Level.FINE);
        assertThat(about("silent")).isEmpty();
    }

    @Test
    void aChildOfASpawnerThatReportsChildFailuresIsNotLoggedAgain() throws Exception {
        try (Weft weft = Weft.start()) {
            Parent reporting = weft.spawn(new Parent("reporting", true));
            Parent plain = weft.spawn(new Parent("plain", false));
            reporting.join(WAIT);
            plain.join(WAIT);
            assertThat(reporting.child.state()).isEqualTo(ComponentState.FAILED);
        }
        assertThat(about("reporting-child")).isEmpty();
        assertThat(about("plain-child")).singleElement().extracting(LogRecord::getLevel).isEqualTo(Level.WARNING);
    }
}
