package dev.weft.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a JVM's command line picks the selector backend, checked in child JVMs: a library user who
 * enables nothing gets NIO and one log line (never a crash, never the JDK's restricted-method
 * warning); the launcher's flags get epoll; the property forces either.
 */
class BackendChoiceTest {
    private static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    private static final String EXPORTS = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    /** What a child JVM printed. */
    record Run(int exit, String out, String err) {
        long lines(String text) {
            return err.lines().filter(l -> l.contains(text)).count();
        }
    }

    private static Run run(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BackendProbe.class.getName());
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void withoutNativeAccessALibraryUserGetsNioAndOneClearLogLine() throws Exception {
        Run r = run();

        assertThat(r.exit()).as("exit code; stderr: " + r.err()).isZero();
        assertThat(r.out()).contains("backend=nio");
        assertThat(r.lines("Weft selector service")).as("log lines about the choice in: " + r.err()).isEqualTo(1);
        assertThat(r.err()).contains("epoll is unavailable: native access is not enabled")
                .contains("--enable-native-access=ALL-UNNAMED")
                .doesNotContain("WARNING: A restricted method");
    }

    @Test
    void withTheLaunchersFlagsTheEpollBackendRuns() throws Exception {
        Run r = run(NATIVE, EXPORTS);

        assertThat(r.exit()).as("exit code; stderr: " + r.err()).isZero();
        assertThat(r.out()).contains("backend=epoll");
        assertThat(r.lines("Weft selector service: epoll backend")).isEqualTo(1);
        assertThat(r.err()).doesNotContain("WARNING");
    }

    @Test
    void nativeAccessWithoutTheExportStillFallsBackToNioSayingWhatIsMissing() throws Exception {
        Run r = run(NATIVE);

        assertThat(r.out()).contains("backend=nio");
        assertThat(r.err()).contains("--add-exports java.base/sun.nio.ch=ALL-UNNAMED");
    }

    @Test
    void thePropertyForcesNioEvenWhereEpollCouldRun() throws Exception {
        Run r = run(NATIVE, EXPORTS, "-Dweft.selector.backend=nio");

        assertThat(r.out()).contains("backend=nio");
    }

    @Test
    void theLoopsRunOnPlatformThreadsUnlessThePropertyAsksForVirtualOnes() throws Exception {
        assertThat(Runtime.version().feature()).as("this test runs on JDK 24+").isGreaterThanOrEqualTo(24);
        Run auto = run(NATIVE, EXPORTS);
        Run virtual = run(NATIVE, EXPORTS, "-Dweft.selector.thread=virtual");

        assertThat(auto.out()).contains("backend=epoll loops=platform");
        assertThat(auto.err()).contains("epoll backend (edge-triggered, each channel added once), loops on platform"
                + " threads");
        assertThat(virtual.out()).contains("backend=epoll loops=virtual");
        assertThat(virtual.lines("Weft selector service")).isEqualTo(1);
    }

    @Test
    void aBadLoopThreadValueFailsSayingWhatIsAllowed() throws Exception {
        Run r = run("-Dweft.selector.thread=carrier");

        assertThat(r.exit()).as("exit code").isNotZero();
        assertThat(r.err()).contains("weft.selector.thread must be auto, virtual or platform, not 'carrier'");
    }

    @Test
    void forcingEpollWhereItCannotRunFailsWithTheReason() throws Exception {
        Run r = run("-Dweft.selector.backend=epoll");

        assertThat(r.exit()).as("exit code").isNotZero();
        assertThat(r.err()).contains("weft.selector.backend=epoll, but the epoll backend cannot run: native access"
                + " is not enabled");
    }
}
