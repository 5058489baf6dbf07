package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commit replies that complete in one group commit go out together, one write per connection
 * ({@link ReplyBatch}); the connection counts them as sent all at once. Many callers sharing one
 * client against a durable store with few request slots: every commit answered once, in each
 * caller's order, and the connection reads again whenever a batch frees slots.
 */
class ReplyBatchTest {
    @TempDir
    Path dir;

    @RepeatedTest(3)
    void callersSharingOneClientGetEveryReplyOfABatchAndTheConnectionKeepsReading() throws Exception {
        int callers = 32;
        int commits = 50;
        try (Weft weft = Weft.start(); Kvs kvs = Kvs.open(KvsOptions.durable(dir))) {
            KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxInFlight(4));
            try (KvsClient client = KvsClient.connect(server.address());
                    var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<Long>>> versions = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    String key = "caller." + c;
                    versions.add(pool.submit(() -> {
                        go.await();
                        List<Long> mine = new ArrayList<>();
                        for (int i = 0; i < commits; i++) {
                            mine.add(client.primary().commit(new Txn().put(key, Integer.toString(i))));
                        }
                        return mine;
                    }));
                }
                go.countDown();
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> f : versions) {
                    List<Long> mine = f.get(60, TimeUnit.SECONDS);
                    assertThat(mine).as("a caller's commits in its order").isSorted().doesNotHaveDuplicates();
                    all.addAll(mine);
                }
                assertThat(all).as("one version per commit").hasSize(callers * commits);
                assertThat(client.primary().version()).isEqualTo(callers * commits);
                assertThat(client.primary().getString("caller.7")).isEqualTo(Integer.toString(commits - 1));
            } finally {
                server.close();
            }
        }
    }
}
