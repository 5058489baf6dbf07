package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DurabilityTest {
    private static final int COMMITS = 50;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(FsyncMode.class)
    void committedStateSurvivesReopeningAndTheVersionContinues(FsyncMode mode) throws Exception {
        KvsOptions options = KvsOptions.durable(dir).withFsync(mode);
        try (Kvs kvs = Kvs.open(options)) {
            Namespace jobs = kvs.createNamespace("jobs", "alice");
            for (int i = 0; i < COMMITS; i++) {
                jobs.commit(new Txn().put("job." + i, "v" + i).append("events", i + ";"));
            }
            jobs.commit(new Txn().unlink("job.0"));
        }

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).isTrue();
            Namespace jobs = kvs.namespace("jobs");
            assertThat(kvs.namespaces()).contains(new NamespaceInfo("jobs", "alice", COMMITS + 1));
            assertThat(jobs.version()).isEqualTo(COMMITS + 1);
            assertThat(jobs.latest().exists("job.0")).isFalse();
            assertThat(jobs.getString("job.49")).isEqualTo("v49");
            assertThat(jobs.getString("events")).startsWith("0;1;2;").endsWith(";49;");
            assertThat(jobs.commit(new Txn().put("after", "restart"))).isEqualTo(COMMITS + 2);
        }
    }

    @ParameterizedTest(name = "snapshot first: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void symlinksCopiesAndMovesSurviveReplayAndSnapshotsWithTheirVersions(boolean snapshot) throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        long copied;
        long moved;
        try (Kvs kvs = Kvs.open(options)) {
            Namespace ns = kvs.primary();
            ns.commit(new Txn().put("src.a", "1").append("src.sub.log", "x").symlink("link", "src.sub"));
            copied = ns.copy("src", "dst");
            moved = ns.commit(new Txn().move("dst.sub", "moved").symlink("far", "other::k"));
            ns.append("moved.log", "y");
            if (snapshot) {
                kvs.snapshot().get(10, TimeUnit.SECONDS);
            }
        }
        try (Kvs kvs = Kvs.open(options)) {
            Namespace ns = kvs.primary();
            assertThat(kvs.recovery().clean()).isTrue();
            assertThat(ns.getString("link.log")).as("a link followed after recovery").isEqualTo("x");
            assertThat(ns.readlink("far").link()).isEqualTo("other::k");
            assertThat(ns.latest().keyVersion("dst.a")).as("a copied key keeps the copy's version").isEqualTo(copied);
            assertThat(ns.getString("moved.log")).isEqualTo("xy");
            assertThat(ns.latest().exists("dst.sub")).isFalse();
            KvsContract.Events events = new KvsContract.Events();
            ns.watch("moved.log", WatchMode.APPEND, events);
            assertThat(new String(events.next(WatchEvent.Appended.class).bytes())).isEqualTo("xy");
            long v = ns.append("moved.log", "z");
            WatchEvent.Appended next = events.next(WatchEvent.Appended.class);
            assertThat(next.version()).as("an append after recovery is an append, not a replacement").isEqualTo(v);
            assertThat(new String(next.bytes())).isEqualTo("z");
            assertThat(ns.latest().keyVersion("moved")).isGreaterThan(moved);
        }
    }

    @Test
    void snapshotTruncatesTheLogAndRecoveryStartsFromIt() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        long version;
        try (Kvs kvs = Kvs.open(options)) {
            Namespace ns = kvs.primary();
            for (int i = 0; i < COMMITS; i++) {
                ns.commit(new Txn().put("k." + i, "v" + i));
            }
            kvs.snapshot().get(10, TimeUnit.SECONDS);
            version = ns.commit(new Txn().append("k.0", "+"));
        }
        assertThat(files("snap-")).hasSize(1);
        assertThat(files("wal-")).as("segments covered by the snapshot are deleted").hasSize(1);

        try (Kvs kvs = Kvs.open(options)) {
            RecoveryReport report = kvs.recovery();
            assertThat(report.snapshotLsn()).isPositive();
            assertThat(report.replayed()).isEqualTo(1);
            assertThat(report.clean()).isTrue();
            Namespace ns = kvs.primary();
            assertThat(ns.version()).isEqualTo(version);
            assertThat(ns.getString("k.0")).isEqualTo("v0+");
            assertThat(ns.latest().keyVersion("k.1")).isEqualTo(2);
            assertThat(ns.list("k")).hasSize(COMMITS);
        }
    }

    @Test
    void automaticSnapshotsKeepTheLogShort() throws Exception {
        KvsOptions options = KvsOptions.durable(dir).withFsync(FsyncMode.NONE).withSnapshotBytes(4096);
        try (Kvs kvs = Kvs.open(options)) {
            for (int i = 0; i < 500; i++) {
                kvs.primary().commit(new Txn().put("k", "value-" + i));
            }
        }
        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().snapshotLsn()).isPositive();
            assertThat(kvs.primary().getString("k")).isEqualTo("value-499");
            assertThat(kvs.primary().version()).isEqualTo(500);
        }
        assertThat(files("wal-").size()).isLessThan(10);
    }

    @Test
    void truncatedTailIsDroppedReportedAndTheVersionContinues() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Path segment = lastSegment();
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }

        try (Kvs kvs = Kvs.open(options)) {
            RecoveryReport report = kvs.recovery();
            assertThat(report.dropped()).singleElement().satisfies(d -> {
                assertThat(d.file()).isEqualTo(segment);
                assertThat(d.reason()).contains("torn");
            });
            Namespace ns = kvs.primary();
            assertThat(ns.version()).as("only the torn commit is gone").isEqualTo(COMMITS - 1);
            assertThat(ns.getString("k." + (COMMITS - 2))).isEqualTo("v" + (COMMITS - 2));
            assertThat(ns.get("k." + (COMMITS - 1))).isNull();
            assertThat(ns.commit(new Txn().put("again", "1"))).isEqualTo(COMMITS);
        }
        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).as("the cut is permanent").isTrue();
            assertThat(kvs.primary().version()).isEqualTo(COMMITS);
        }
    }

    @Test
    void corruptedTailFailsItsChecksumAndIsDroppedAndReported() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Path segment = lastSegment();
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xFF}), size - 2);
        }

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().dropped()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("checksum"));
            assertThat(kvs.primary().version()).isEqualTo(COMMITS - 1);
        }
        assertThat(files("wal-").stream().filter(p -> p.toString().contains(".dropped-")))
                .as("the cut bytes are kept aside").hasSize(1);
    }

    @Test
    void garbageAfterTheLastRecordIsDropped() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Files.write(lastSegment(), new byte[] {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, StandardOpenOption.APPEND);

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().dropped()).hasSize(1);
            assertThat(kvs.primary().version()).isEqualTo(COMMITS);
        }
    }

    @Test
    void theLogWritesZerosAheadOfItselfWhileOpenAndCutsThemOffOnClose() throws Exception {
        try (Kvs kvs = Kvs.open(KvsOptions.durable(dir))) {
            kvs.primary().commit(new Txn().put("k", "v"));
            assertThat(Files.size(lastSegment())).as("zeros written ahead, so a force flushes only data")
                    .isGreaterThanOrEqualTo(Wal.PREALLOCATE);
        }
        assertThat(Files.size(lastSegment())).as("a clean close leaves the log's bytes only").isLessThan(1024);

        try (Kvs kvs = Kvs.open(KvsOptions.durable(dir).withFsync(FsyncMode.NONE))) {
            kvs.primary().commit(new Txn().put("k", "w"));
            assertThat(files("wal-").stream().mapToLong(DurabilityTest::size).sum())
                    .as("nothing is forced, so nothing is written ahead").isLessThan(1024);
        }
    }

    /** A crash leaves the zeros the log wrote ahead of itself: the end of the log, not damage. */
    @Test
    void zerosAfterTheLastFrameEndTheLogCleanly() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Path segment = lastSegment();
        long size = Files.size(segment);
        Files.write(segment, new byte[64 * 1024], StandardOpenOption.APPEND);

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).as("nothing dropped: %s", kvs.recovery().dropped()).isTrue();
            assertThat(kvs.primary().version()).isEqualTo(COMMITS);
            assertThat(Files.size(segment)).as("the zeros are cut off").isEqualTo(size);
            assertThat(kvs.primary().commit(new Txn().put("again", "1"))).isEqualTo(COMMITS + 1);
        }
        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).isTrue();
            assertThat(kvs.primary().getString("again")).isEqualTo("1");
        }
    }

    /** A crash after a segment filled and before it was cut: its zeros end it, and the next segment follows. */
    @Test
    void zerosEndASegmentAndTheNextSegmentIsReplayed() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Path first = lastSegment();
        try (Kvs kvs = Kvs.open(options)) {
            for (int i = 0; i < 3; i++) {
                kvs.primary().commit(new Txn().put("more." + i, "m"));
            }
        }
        assertThat(lastSegment()).as("the second run wrote a second segment").isNotEqualTo(first);
        Files.write(first, new byte[64 * 1024], StandardOpenOption.APPEND);

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).as("nothing dropped: %s", kvs.recovery().dropped()).isTrue();
            assertThat(kvs.primary().version()).as("the second segment was replayed").isEqualTo(COMMITS + 3);
            assertThat(kvs.primary().getString("more.2")).isEqualTo("m");
        }
    }

    /** A crash right after the log moved to a new segment: one of only zeros is an empty segment. */
    @Test
    void aSegmentOfOnlyZerosIsEmpty() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        Path zeros = LogFormat.segment(dir, COMMITS + 1);
        Files.write(zeros, new byte[64 * 1024]);

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).as("nothing dropped: %s", kvs.recovery().dropped()).isTrue();
            assertThat(kvs.primary().commit(new Txn().put("after", "1"))).isEqualTo(COMMITS + 1);
        }
        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().clean()).isTrue();
            assertThat(kvs.primary().version()).isEqualTo(COMMITS + 1);
            assertThat(kvs.primary().getString("after")).isEqualTo("1");
        }
    }

    /** A crash in the middle of a write into the zeros: the torn frame is dropped as before. */
    @Test
    void aTornFrameBeforeTheZerosIsDropped() throws Exception {
        KvsOptions options = KvsOptions.durable(dir);
        writeCommits(options);
        byte[] torn = new byte[64 * 1024];
        java.nio.ByteBuffer.wrap(torn).putInt(40).putInt(12345).putLong(COMMITS + 1).put(new byte[] {1, 2, 3});
        Files.write(lastSegment(), torn, StandardOpenOption.APPEND);

        try (Kvs kvs = Kvs.open(options)) {
            assertThat(kvs.recovery().dropped()).singleElement().satisfies(d -> assertThat(d.reason()).contains("checksum"));
            assertThat(kvs.primary().version()).isEqualTo(COMMITS);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void writeCommits(KvsOptions options) throws Exception {
        try (Kvs kvs = Kvs.open(options)) {
            for (int i = 0; i < COMMITS; i++) {
                kvs.primary().commit(new Txn().put("k." + i, "v" + i));
            }
        }
    }

    private Path lastSegment() throws IOException {
        List<Path> segments = files("wal-").stream().filter(p -> p.toString().endsWith(".log"))
                .filter(p -> size(p) > 0).sorted().toList();
        return segments.get(segments.size() - 1);
    }

    private List<Path> files(String prefix) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
