package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A watch whose revision etcd has compacted away lists the key again and tells what changed: the
 * registry's watches survive compaction without missing a provider's coming or going.
 */
class KeyWatchTest {
    private static final long WATCHDOG_SECONDS = 30;

    private static ClusterEtcd etcd;
    private static Client client;

    @BeforeAll
    static void start() throws Exception {
        etcd = new ClusterEtcd();
        client = Client.builder().endpoints(etcd.etcd.endpoint()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aWatchBehindCompactionListsAgainAndTellsTheValueNow() throws Exception {
        // given: a watch that listed "v1" at revision R, then fell behind while the key changed and
        // etcd compacted past R
        ByteSequence key = bytes(etcd.prefix + "compacted-" + System.nanoTime());
        put(key, "v1");
        long listedAt = client.getKVClient().get(key).get().getHeader().getRevision();
        put(key, "v2");
        client.getKVClient().delete(key).get();
        put(key, "v3");
        compactAll();

        // when: the watch goes on from R + 1
        BlockingQueue<Optional<String>> told = new LinkedBlockingQueue<>();
        KeyWatch watch = new KeyWatch(client, key, v -> told.add(Optional.ofNullable(v))).resume(listedAt, "v1");
        try {
            // then: it lists again and tells the value now, once
            assertThat(told.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(Optional.of("v3"));
            assertThat(watch.relists()).as("it listed again after compaction").isEqualTo(1);

            // and: it watches on from the new list, missing nothing
            put(key, "v4");
            client.getKVClient().delete(key).get();
            assertThat(told.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(Optional.of("v4"));
            assertThat(told.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
            assertThat(told).isEmpty();
        } finally {
            watch.close();
        }
    }

    @Test
    void changesHiddenByCompactionThatEndWhereTheyBeganTellNothing() throws Exception {
        // given: a listed "same"; the key went away and came back with the same value; compacted
        ByteSequence key = bytes(etcd.prefix + "same-" + System.nanoTime());
        put(key, "same");
        long listedAt = client.getKVClient().get(key).get().getHeader().getRevision();
        client.getKVClient().delete(key).get();
        put(key, "same");
        compactAll();

        BlockingQueue<Optional<String>> told = new LinkedBlockingQueue<>();
        KeyWatch watch = new KeyWatch(client, key, v -> told.add(Optional.ofNullable(v))).resume(listedAt, "same");
        try {
            // when: a later change comes
            put(key, "next");

            // then: that change is the first and only thing told
            assertThat(told.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(Optional.of("next"));
            assertThat(watch.relists()).isEqualTo(1);
            assertThat(told).isEmpty();
        } finally {
            watch.close();
        }
    }

    private static void compactAll() throws Exception {
        long head = client.getKVClient().get(bytes(etcd.prefix)).get().getHeader().getRevision();
        client.getKVClient().compact(head).get();
    }

    private static void put(ByteSequence key, String value) throws Exception {
        client.getKVClient().put(key, bytes(value)).get();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
