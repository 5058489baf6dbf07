package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.kvs.check.ServerTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eventlog watches in three processes ({@link EventlogFollower}) follow a log on a durable server in
 * a child JVM that is killed with {@code kill -9} while appends are in flight, and restarted on the
 * same data, twice: each follower resumes from the number of events it has seen and ends with
 * exactly the server's log, in order, every acknowledged event included, none twice.
 */
class EventlogCrashTest {
    private static final int FOLLOWERS = 3;
    private static final int CRASHES = 2;
    private static final int ACKED_PER_ROUND = 40;
    private static final int ACKED_BEFORE_KILL = 5;
    private static final String LOG = "jobs.1.eventlog";
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    /** A follower process, its standard output as lines, and its standard input for commands. */
    private record Follower(Process process, BlockingQueue<String> lines, PrintWriter commands) {
        static Follower start() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), EventlogFollower.class.getName(), LOG)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ended) {
                    // the process is gone
                }
            });
            return new Follower(p, lines, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8));
        }

        void connect(int port) {
            commands.println("connect " + port);
        }

        /** What a follower printed: its events' names in order, and how many of its watches ended. */
        record Seen(List<String> names, int ended) {
        }

        /** Reads its output until it has printed {@code count} events. */
        Seen events(int count) throws InterruptedException {
            List<String> names = new ArrayList<>();
            int ended = 0;
            List<String> transcript = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (names.size() < count) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(line).as("follower %d's event %d within %d s; it printed %s", process.pid(), names.size(),
                        WAIT_SECONDS, transcript).isNotNull();
                transcript.add(line);
                assertThat(line).as("follower %d saw a gap or a repeat", process.pid()).doesNotStartWith("gap")
                        .doesNotStartWith("stuck");
                if (line.startsWith("event ")) {
                    String[] parts = line.split(" ");
                    assertThat(Long.parseLong(parts[1])).as("the index of event %s", line).isEqualTo(names.size());
                    names.add(parts[2]);
                } else if (line.startsWith("ended ")) {
                    assertThat(line).as("a watch ends only when its server dies").isEqualTo("ended CLOSED");
                    ended++;
                }
            }
            return new Seen(names, ended);
        }
    }

    @Test
    void eventlogWatchesInThreeProcessesLoseNoEventAcrossKillNineAndRestart() throws Exception {
        ServerTarget server = ServerTarget.start(dir.resolve("data"), FsyncMode.BATCHED, dir.resolve("server.log"));
        List<Follower> followers = new ArrayList<>();
        try {
            for (int f = 0; f < FOLLOWERS; f++) {
                followers.add(Follower.start());
            }
            followers.forEach(f -> f.connect(port(server)));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger next = new AtomicInteger();
            for (int round = 0; round <= CRASHES; round++) {
                try (KvsClient writer = KvsClient.connect(server.address())) {
                    Namespace ns = writer.primary();
                    for (int i = 0; i < ACKED_PER_ROUND; i++) {
                        String name = "e" + next.getAndIncrement();
                        Eventlog.append(ns, LOG, Eventlog.Event.now(name));
                        acknowledged.add(name);
                    }
                    if (round == CRASHES) {
                        break;
                    }
                    CountDownLatch some = new CountDownLatch(ACKED_BEFORE_KILL);
                    Thread inFlight = Thread.ofVirtual().start(() -> {
                        for (;;) {
                            String name = "e" + next.getAndIncrement();
                            try {
                                Eventlog.append(ns, LOG, Eventlog.Event.now(name));
                            } catch (KvsException | InterruptedException killed) {
                                return;             // in flight (outcome unknown) or never sent: either is fine
                            }
                            acknowledged.add(name);
                            some.countDown();
                        }
                    });
                    assertThat(some.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("appends go on before the kill").isTrue();
                    server.crash();
                    assertThat(inFlight.join(java.time.Duration.ofSeconds(WAIT_SECONDS))).isTrue();
                }
                server.restart();
                followers.forEach(f -> f.connect(port(server)));
            }

            List<String> log;
            try (KvsClient reader = KvsClient.connect(server.address())) {
                log = Eventlog.read(reader.primary().latest(), LOG).stream().map(Eventlog.Event::name).toList();
            }
            assertThat(log).as("every acknowledged append survived the kills").containsAll(acknowledged)
                    .doesNotHaveDuplicates();
            for (Follower f : followers) {
                Follower.Seen seen = f.events(log.size());
                assertThat(seen.names()).as("follower %d saw the log exactly", f.process().pid())
                        .containsExactlyElementsOf(log);
                assertThat(seen.ended()).as("follower %d's watches the kills ended", f.process().pid()).isEqualTo(CRASHES);
            }
        } finally {
            for (Follower f : followers) {
                f.process().destroyForcibly();
            }
            server.close();
        }
    }

    private static int port(ServerTarget server) {
        try {
            return server.address().getPort();
        } catch (InterruptedException | dev.weft.kvs.check.NotApplied e) {
            throw new IllegalStateException("the server is not serving", e);
        }
    }
}
