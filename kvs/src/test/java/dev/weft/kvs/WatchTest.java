package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchTest {
    private static final int WRITERS = 4;
    private static final int COMMITS_PER_WRITER = 25_000;

    private final Weft weft = Weft.start();
    private final Kvs kvs = Kvs.inMemory();
    private final Namespace ns = kvs.primary();

    @AfterEach
    void close() {
        kvs.close();
        weft.close();
    }

    @Test
    void watcherSeesEveryChangeOfItsKeysInOrderAcross100000CommitsByFourWriters() throws Exception {
        Collector collector = weft.spawn(new Collector(1024));
        long[] watchIds = new long[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            watchIds[w] = ns.watch("w" + w + ".seq", WatchMode.VALUE, collector.events, WRITERS * COMMITS_PER_WRITER).id();
        }
        CountDownLatch done = new CountDownLatch(WRITERS);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int w = 0; w < WRITERS; w++) {
            String key = "w" + w + ".seq";
            String noise = "noise.w" + w;
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < COMMITS_PER_WRITER; i++) {
                        ns.commit(new Txn().put(key, Integer.toString(i)).put(noise, Integer.toString(i)));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();

        int[] next = new int[WRITERS];
        long[] lastVersion = new long[WRITERS];
        for (int received = 0; received < WRITERS * (COMMITS_PER_WRITER + 1); received++) {
            WatchEvent.Value e = collector.next(WatchEvent.Value.class);
            int w = indexOf(watchIds, e.watchId());
            assertThat(e.version()).as("versions grow per watch").isGreaterThanOrEqualTo(lastVersion[w]);
            lastVersion[w] = e.version();
            if (next[w] == 0 && e.value() == null) {
                continue; // the initial event: the key did not exist yet
            }
            assertThat(new String(e.value(), StandardCharsets.UTF_8)).as("change %d of writer %d", next[w], w)
                    .isEqualTo(Integer.toString(next[w]));
            next[w]++;
        }
        assertThat(next).containsOnly(COMMITS_PER_WRITER);
        assertThat(collector.pollNow()).as("no duplicates").isNull();
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("unknown watch " + id);
    }

    @Test
    void appendWatchCarriesOnlyTheAppendedBytesAndEndsOnReplacement() throws Exception {
        ns.commit(new Txn().append("events", "one\n"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("events", WatchMode.APPEND, collector.events);

        long v2 = ns.commit(new Txn().append("events", "two\n"));
        ns.commit(new Txn().put("unrelated", "x"));
        long v3 = ns.commit(new Txn().append("events", "three\n").append("events", "four\n"));
        long v4 = ns.commit(new Txn().put("events", "replaced"));

        assertThat(text(collector.next(WatchEvent.Appended.class))).isEqualTo("one\n");
        WatchEvent.Appended two = collector.next(WatchEvent.Appended.class);
        assertThat(two.version()).isEqualTo(v2);
        assertThat(text(two)).isEqualTo("two\n");
        WatchEvent.Appended three = collector.next(WatchEvent.Appended.class);
        assertThat(three.version()).isEqualTo(v3);
        assertThat(text(three)).isEqualTo("three\nfour\n");
        WatchEvent.Ended end = collector.next(WatchEvent.Ended.class);
        assertThat(end.reason()).isEqualTo(WatchEvent.Reason.REPLACED);
        assertThat(end.version()).isEqualTo(v4);
    }

    @Test
    void appendWatchOnAMissingKeyWaitsForItsFirstBytes() throws Exception {
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("later", WatchMode.APPEND, collector.events);

        ns.commit(new Txn().append("later", "hello"));

        assertThat(text(collector.next(WatchEvent.Appended.class))).isEqualTo("hello");
    }

    @Test
    void createWatchWaitsForTheKeyThenEnds() throws Exception {
        Collector collector = weft.spawn(new Collector(64));
        Watch watch = ns.watch("job.result", WatchMode.CREATE, collector.events);
        ns.commit(new Txn().put("job.state", "running"));

        long created = ns.commit(new Txn().put("job.result", "42"));
        ns.commit(new Txn().put("job.result", "43"));

        WatchEvent.Value value = collector.next(WatchEvent.Value.class);
        assertThat(value.version()).isEqualTo(created);
        assertThat(new String(value.value(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(collector.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CREATED);
        assertThat(watch.isActive()).isFalse();
    }

    @Test
    void createWatchOnAnExistingKeyAnswersAtOnce() throws Exception {
        long v = ns.commit(new Txn().put("ready", "yes"));
        Collector collector = weft.spawn(new Collector(64));

        ns.watch("ready", WatchMode.CREATE, collector.events);

        assertThat(collector.next(WatchEvent.Value.class).version()).isEqualTo(v);
        assertThat(collector.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CREATED);
    }

    @Test
    void directoryWatchNamesTheKeysEachCommitChanged() throws Exception {
        ns.commit(new Txn().put("jobs.1.state", "new"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("jobs", WatchMode.DIRECTORY, collector.events);

        long v1 = ns.commit(new Txn().put("jobs.1.state", "run").put("jobs.2.state", "new").put("elsewhere", "x"));
        ns.commit(new Txn().put("elsewhere", "y"));
        long v2 = ns.commit(new Txn().unlink("jobs.1"));

        WatchEvent.DirChanged first = collector.next(WatchEvent.DirChanged.class);
        assertThat(first.version()).isEqualTo(v1);
        assertThat(first.changed()).containsExactly("jobs.1.state", "jobs.2");
        WatchEvent.DirChanged second = collector.next(WatchEvent.DirChanged.class);
        assertThat(second.version()).isEqualTo(v2);
        assertThat(second.changed()).containsExactly("jobs.1");
    }

    @Test
    void cancellingEndsTheWatchWithAFinalEventAfterTheChangesBeforeIt() throws Exception {
        Collector collector = weft.spawn(new Collector(64));
        Watch watch = ns.watch("k", WatchMode.VALUE, collector.events);
        long v = ns.commit(new Txn().put("k", "1"));

        watch.cancel();
        ns.commit(new Txn().put("k", "2"));

        assertThat(collector.next(WatchEvent.Value.class).value()).isNull();
        assertThat(collector.next(WatchEvent.Value.class).version()).isEqualTo(v);
        WatchEvent.Ended end = collector.next(WatchEvent.Ended.class);
        assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
        assertThat(end.version()).isEqualTo(v);
        assertThat(watch.isActive()).isFalse();
        assertThat(collector.pollNow()).as("nothing after the final event").isNull();
    }

    @Test
    void watcherThatCannotKeepUpGetsAnExplicitOverflowAfterAnUnbrokenRun() throws Exception {
        int buffer = 4;
        Collector stuck = weft.spawn(Collector.closedGate(2));
        ns.watch("k", WatchMode.VALUE, stuck.events, buffer);
        List<Long> versions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            versions.add(ns.commit(new Txn().put("k", Integer.toString(i))));
        }

        stuck.open.countDown();

        List<WatchEvent.Value> delivered = new ArrayList<>();
        WatchEvent e;
        while (!((e = stuck.next()) instanceof WatchEvent.Ended)) {
            delivered.add((WatchEvent.Value) e);
        }
        WatchEvent.Ended end = (WatchEvent.Ended) e;
        assertThat(end.reason()).isEqualTo(WatchEvent.Reason.OVERFLOWED);
        assertThat(delivered).as("the initial value, then changes without a gap").isNotEmpty();
        assertThat(delivered.get(0).value()).isNull();
        for (int i = 1; i < delivered.size(); i++) {
            assertThat(delivered.get(i).version()).isEqualTo(versions.get(i - 1));
        }
        assertThat(end.version()).as("the overflow says up to where delivery is complete")
                .isEqualTo(delivered.get(delivered.size() - 1).version());
        assertThat(delivered.size()).isLessThan(versions.size() + 1);
    }

    @Test
    void removingTheNamespaceEndsItsWatches() throws Exception {
        Namespace temp = kvs.createNamespace("temp", "test");
        Collector collector = weft.spawn(new Collector(64));
        temp.watch("a", WatchMode.VALUE, collector.events);

        kvs.removeNamespace("temp");

        collector.next(WatchEvent.Value.class);
        assertThat(collector.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.NAMESPACE_REMOVED);
    }

    @Test
    void aChangeUndoneInTheSameCommitChangesNothingAndSendsNoEvent() throws Exception {
        long kept = ns.commit(new Txn().put("d.keep", "1"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("d", WatchMode.DIRECTORY, collector.events);
        ns.watch("d", WatchMode.VALUE, collector.events);
        assertThat(collector.next(WatchEvent.Value.class).version()).as("the VALUE watch's start event").isEqualTo(kept);

        ns.commit(new Txn().put("d.tmp", "x").unlink("d.tmp"));
        long real = ns.commit(new Txn().put("d.real", "y"));

        assertThat(ns.latest().keyVersion("d")).as("d changed once, by the real put").isEqualTo(real);
        assertThat(ns.at(real - 1).keyVersion("d")).as("the undone put left d's version alone").isEqualTo(kept);
        WatchEvent first = collector.next();
        WatchEvent second = collector.next();
        assertThat(List.of(first.version(), second.version())).as("no event for the undone change").containsOnly(real);
        assertThat(List.of(first, second)).filteredOn(e -> e instanceof WatchEvent.DirChanged).singleElement()
                .satisfies(e -> assertThat(((WatchEvent.DirChanged) e).changed()).containsExactly("d.real"));
    }

    @Test
    void mkdirOfAnExistingEmptyDirectoryChangesNothingAndSendsNoEvent() throws Exception {
        long made = ns.commit(new Txn().mkdir("jobs.empty"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("jobs", WatchMode.DIRECTORY, collector.events);
        ns.watch("jobs.empty", WatchMode.DIRECTORY, collector.events);

        ns.commit(new Txn().mkdir("jobs.empty"));
        long real = ns.commit(new Txn().put("jobs.empty.x", "1"));

        assertThat(ns.at(real - 1).keyVersion("jobs.empty")).isEqualTo(made);
        WatchEvent.DirChanged first = collector.next(WatchEvent.DirChanged.class);
        WatchEvent.DirChanged second = collector.next(WatchEvent.DirChanged.class);
        assertThat(List.of(first.version(), second.version())).containsOnly(real);
        assertThat(first.changed()).containsExactly("jobs.empty.x");
        assertThat(second.changed()).containsExactly("jobs.empty.x");
    }

    @Test
    void directoryWatchNamesANewOrRemovedSubtreeOnlyByItsTopKey() throws Exception {
        ns.commit(new Txn().put("jobs.1.state", "run").put("jobs.1.log", "a").put("jobs.2", "value"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("jobs", WatchMode.DIRECTORY, collector.events);

        long added = ns.commit(new Txn().put("jobs.3.out.a", "1").put("jobs.3.out.b", "2").put("jobs.3.state", "new"));
        long removed = ns.commit(new Txn().unlink("jobs.1"));
        long retyped = ns.commit(new Txn().mkdir("jobs.2").put("jobs.2.sub", "now a directory"));

        WatchEvent.DirChanged a = collector.next(WatchEvent.DirChanged.class);
        assertThat(a.version()).isEqualTo(added);
        assertThat(a.changed()).containsExactly("jobs.3");
        WatchEvent.DirChanged r = collector.next(WatchEvent.DirChanged.class);
        assertThat(r.version()).isEqualTo(removed);
        assertThat(r.changed()).containsExactly("jobs.1");
        WatchEvent.DirChanged t = collector.next(WatchEvent.DirChanged.class);
        assertThat(t.version()).isEqualTo(retyped);
        assertThat(t.changed()).as("a value replaced by a directory is named by its key").containsExactly("jobs.2");
    }

    @Test
    void valueWatchOnADirectorySendsValueNullForEveryChangeBeneathIt() throws Exception {
        ns.commit(new Txn().put("conf.a", "1"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("conf", WatchMode.VALUE, collector.events);

        long deep = ns.commit(new Txn().put("conf.sub.b", "2"));
        ns.commit(new Txn().put("elsewhere", "x"));
        long unlinked = ns.commit(new Txn().unlink("conf.a"));
        long gone = ns.commit(new Txn().unlink("conf"));

        assertThat(collector.next(WatchEvent.Value.class).value()).as("a directory reads as null").isNull();
        for (long v : new long[] {deep, unlinked, gone}) {
            WatchEvent.Value e = collector.next(WatchEvent.Value.class);
            assertThat(e.version()).isEqualTo(v);
            assertThat(e.value()).isNull();
        }
        ns.commit(new Txn().put("elsewhere", "y"));
        long back = ns.commit(new Txn().put("conf", "a value"));
        WatchEvent.Value value = collector.next(WatchEvent.Value.class);
        assertThat(value.version()).isEqualTo(back);
        assertThat(new String(value.value(), StandardCharsets.UTF_8)).isEqualTo("a value");
    }

    @Test
    void replacedEndsAtTheReplacingVersionAndIsTheOnlyEventForIt() throws Exception {
        long v1 = ns.commit(new Txn().append("log", "a"));
        Collector collector = weft.spawn(new Collector(64));
        ns.watch("log", WatchMode.APPEND, collector.events);
        long v2 = ns.commit(new Txn().append("log", "b"));
        long replaced = ns.commit(new Txn().put("log", "fresh").append("log", "+more"));

        assertThat(collector.next(WatchEvent.Appended.class).version()).isEqualTo(v1);
        assertThat(collector.next(WatchEvent.Appended.class).version()).isEqualTo(v2);
        WatchEvent.Ended end = collector.next(WatchEvent.Ended.class);
        assertThat(end.reason()).isEqualTo(WatchEvent.Reason.REPLACED);
        assertThat(end.version()).isEqualTo(replaced);
        assertThat(ns.at(end.version()).getString("log")).as("read the replacement at the end's version")
                .isEqualTo("fresh+more");
        ns.commit(new Txn().append("log", "!"));
        assertThat(collector.pollNow()).isNull();
    }

    private static String text(WatchEvent.Appended e) {
        return new String(e.bytes(), StandardCharsets.UTF_8);
    }
}
