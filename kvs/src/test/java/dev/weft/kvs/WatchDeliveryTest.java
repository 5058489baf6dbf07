package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A watch's events go to an inbox from the publishing thread while the inbox has room and the watch
 * has nothing buffered, else through the watch's delivery thread. A writer commits fast to an inbox
 * of one slot whose reader stalls now and then, so the path flips between the two all the time; the
 * watcher must still see every version once, in order, then the end.
 */
class WatchDeliveryTest {
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
