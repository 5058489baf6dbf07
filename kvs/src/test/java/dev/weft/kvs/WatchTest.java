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
}
