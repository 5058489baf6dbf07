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
    /** For the tests where delivery flips between the publishing thread and the delivery thread. */
    private static final int ROUNDS = 5;
    private static final int COMMITS = 20_000;
    private static final int WATCHES = 3;

    private final Weft weft = Weft.start();
    private Kvs kvs;

    @AfterEach
    void close() {
        kvs.close();
        weft.close();
    }

    @Test
    void watcherSeesEveryChangeOfItsKeysInOrderAcross100000CommitsByFourWriters() throws Exception {
        kvs = Kvs.open(KvsOptions.inMemory().withWatchBuffer(WRITERS * COMMITS_PER_WRITER));
        Namespace ns = kvs.primary();
        Collector collector = weft.spawn(new Collector(1024));
        long[] watchIds = new long[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            watchIds[w] = ns.watch("w" + w + ".seq", WatchMode.VALUE, collector.events).id();
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
    void watcherThatCannotKeepUpGetsAnExplicitOverflowAfterAnUnbrokenRun() throws Exception {
        kvs = Kvs.open(KvsOptions.inMemory().withWatchBuffer(4));
        Namespace ns = kvs.primary();
        Collector stuck = weft.spawn(Collector.closedGate(2));
        ns.watch("k", WatchMode.VALUE, stuck.events);
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

    /**
     * A watch's events go to an inbox from the publishing thread while the inbox has room and the
     * watch has nothing buffered, else through the watch's delivery thread. A writer commits fast to
     * inboxes of one slot whose readers stall now and then, so the path flips between the two all
     * the time; each watcher must still see every version once, in order, then the end.
     */
    @Test
    void everyVersionArrivesOnceInOrderThenTheEndWhileDeliveryFlipsBetweenPublisherAndDeliveryThread()
            throws Exception {
        kvs = Kvs.open(KvsOptions.inMemory().withWatchBuffer(COMMITS + 1));
        Namespace ns = kvs.primary();
        for (int round = 0; round < ROUNDS; round++) {
            String key = "k" + round;
            List<Collector> readers = new ArrayList<>();
            List<Watch> watches = new ArrayList<>();
            for (int w = 0; w < WATCHES; w++) {
                Collector reader = weft.spawn(Collector.stalling(1, w + round));
                readers.add(reader);
                watches.add(ns.watch(key, WatchMode.VALUE, reader.events));
            }
            List<Long> versions = new ArrayList<>(COMMITS);
            for (int i = 0; i < COMMITS; i++) {
                versions.add(ns.commit(new Txn().put(key, Integer.toString(i))));
            }
            watches.forEach(Watch::cancel);

            for (int w = 0; w < WATCHES; w++) {
                Collector reader = readers.get(w);
                assertThat(reader.next(WatchEvent.Value.class).value()).as("round %d: the initial event", round).isNull();
                for (int i = 0; i < COMMITS; i++) {
                    WatchEvent.Value e = reader.next(WatchEvent.Value.class);
                    assertThat(e.version()).as("round %d watch %d: change %d", round, w, i).isEqualTo(versions.get(i));
                    assertThat(new String(e.value(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
                }
                WatchEvent.Ended end = reader.next(WatchEvent.Ended.class);
                assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
                assertThat(end.version()).isEqualTo(versions.get(COMMITS - 1));
                assertThat(reader.pollNow()).as("round %d watch %d: nothing after the end", round, w).isNull();
            }
        }
    }

    /**
     * A watch buffer of eight overflows behind the stalling reader. What arrives must be an unbroken
     * run from the start, and the OVERFLOWED end names its last version: the gap is announced.
     */
    @Test
    void aWatchThatFallsBehindWhileDeliveryFlipsEndsOverflowedAfterAnUnbrokenRun() throws Exception {
        kvs = Kvs.open(KvsOptions.inMemory().withWatchBuffer(8));
        Namespace ns = kvs.primary();
        for (int round = 0; round < ROUNDS; round++) {
            String key = "k" + round;
            Collector reader = weft.spawn(Collector.stalling(1, round));
            Watch watch = ns.watch(key, WatchMode.VALUE, reader.events);
            List<Long> versions = new ArrayList<>(COMMITS);
            for (int i = 0; i < COMMITS && watch.isActive(); i++) {
                versions.add(ns.commit(new Txn().put(key, Integer.toString(i))));
            }
            watch.cancel();                 // ends it if it kept up all along

            assertThat(reader.next(WatchEvent.Value.class).value()).isNull();
            long last = watch.startVersion();
            int i = 0;
            WatchEvent e;
            while ((e = reader.next()) instanceof WatchEvent.Value v) {
                assertThat(v.version()).as("round %d: change %d, no gap", round, i).isEqualTo(versions.get(i));
                assertThat(new String(v.value(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
                last = v.version();
                i++;
            }
            WatchEvent.Ended end = (WatchEvent.Ended) e;
            assertThat(end.version()).as("round %d: the end names the last version delivered", round).isEqualTo(last);
            if (end.reason() == WatchEvent.Reason.OVERFLOWED) {
                assertThat(i).as("round %d: an overflow lost something", round).isLessThan(versions.size());
            } else {
                assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
                assertThat(i).as("round %d: kept up, so saw everything", round).isEqualTo(versions.size());
            }
            assertThat(reader.pollNow()).isNull();
        }
    }
}
