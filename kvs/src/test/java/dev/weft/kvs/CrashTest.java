package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Kills a committing JVM with SIGKILL and checks that every acknowledged commit survived. */
class CrashTest {
    private static final int WRITERS = 4;
    private static final int ACKS_BEFORE_KILL = 1500;

    private record Ack(int writer, long n, long version) {
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = FsyncMode.class, names = {"BATCHED", "ALWAYS"})
    void everyAcknowledgedCommitSurvivesKillNineAndTheVersionContinues(FsyncMode mode) throws Exception {
        List<Ack> acks = runAndKill(mode);
        assertThat(acks).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        try (Kvs kvs = Kvs.open(KvsOptions.durable(dir).withFsync(mode))) {
            Namespace ns = kvs.primary();
            long maxAcked = acks.stream().mapToLong(Ack::version).max().orElseThrow();
            assertThat(ns.version()).as("recovered version").isGreaterThanOrEqualTo(maxAcked);
            View view = ns.latest();
            for (Ack a : acks) {
                assertThat(view.getString("w" + a.writer() + "." + a.n()))
                        .as("acknowledged commit %s", a).isEqualTo(Long.toString(a.n()));
            }
            assertThat(view.getString("all").length()).as("one append per recovered commit").isEqualTo(ns.version());
            long before = ns.version();
            assertThat(ns.commit(new Txn().put("after", "crash"))).isEqualTo(before + 1);
        }
    }

    @Test
    void aSecondCrashAfterRecoveryLosesNothingAcknowledgedEither() throws Exception {
        List<Ack> first = runAndKill(FsyncMode.BATCHED);
        List<Ack> second = runAndKill(FsyncMode.BATCHED);

        try (Kvs kvs = Kvs.open(KvsOptions.durable(dir))) {
            View view = kvs.primary().latest();
            long maxFirst = first.stream().mapToLong(Ack::version).max().orElseThrow();
            assertThat(second).allSatisfy(a -> assertThat(a.version()).isGreaterThan(maxFirst));
            for (Ack a : second) {
                assertThat(view.keyVersion("w" + a.writer() + "." + a.n())).as("%s", a).isGreaterThanOrEqualTo(a.version());
            }
        }
    }

    private List<Ack> runAndKill(FsyncMode mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), dir.toString(), mode.name(), Integer.toString(WRITERS))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Ack> acks = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (acks.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                parse(line, acks);
                assertThat(System.nanoTime()).as("child made too little progress").isLessThan(deadline);
            }
            child.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly it leaves stdout readable
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();
            while ((line = out.readLine()) != null) {
                parse(line, acks);
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        return acks;
    }

    private static void parse(String line, List<Ack> acks) {
        String[] f = line.split(" ");
        if (f[0].equals("ack") && f.length == 4) {
            acks.add(new Ack(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
        }
    }
}
