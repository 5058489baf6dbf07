package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KvsServiceTest {
    private static final int RACERS = 8;

    private final Weft weft = Weft.start();

    @AfterEach
    void close() {
        weft.close();
    }

    @Test
    void racingLookupsStartOneServiceAndShareItsStore() throws Exception {
        ConcurrentLinkedQueue<Kvs> found = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(RACERS);
        for (int i = 0; i < RACERS; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    found.add(KvsService.lookupOrStart(weft, KvsOptions.inMemory()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        go.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(found).hasSize(RACERS);
        assertThat(found.stream().distinct()).hasSize(1);
        assertThat(weft.services().names()).contains(KvsService.KVS_KEY.name());
    }

    @Test
    void requestsThroughTheInboxAreAnsweredThroughTheirReplies() throws Exception {
        KvsService.lookupOrStart(weft, KvsOptions.inMemory());
        Inbox<KvsRequest> service = weft.services().lookup(KvsService.KVS_KEY);

        long v = ((KvsReply.Version) ask(service, r -> new KvsRequest.Commit(Kvs.PRIMARY,
                new Txn().put("dir.a", "1").put("dir.b", "2"), r))).version();
        KvsReply.Value value = (KvsReply.Value) ask(service, r -> new KvsRequest.Get(Kvs.PRIMARY, "dir.a", v, r));
        KvsReply.Listing listing = (KvsReply.Listing) ask(service, r -> new KvsRequest.ListDir(Kvs.PRIMARY, "dir", KvsRequest.LATEST, r));
        KvsReply.Version latest = (KvsReply.Version) ask(service, r -> new KvsRequest.GetVersion(Kvs.PRIMARY, r));
        KvsReply.Version reached = (KvsReply.Version) ask(service, r -> new KvsRequest.WaitVersion(Kvs.PRIMARY, v, null, r));
        ask(service, r -> new KvsRequest.CreateNamespace("other", "bob", r));
        KvsReply.Namespaces all = (KvsReply.Namespaces) ask(service, KvsRequest.ListNamespaces::new);

        assertThat(value.entry().string()).isEqualTo("1");
        assertThat(listing.names()).containsExactly("a", "b");
        assertThat(latest.version()).isEqualTo(v);
        assertThat(reached.version()).isEqualTo(v);
        assertThat(all.namespaces()).extracting(NamespaceInfo::owner).containsExactly("bob", "weft");
    }

    @Test
    void watchRequestsStartAndCancelWatches() throws Exception {
        Kvs kvs = KvsService.lookupOrStart(weft, KvsOptions.inMemory());
        Inbox<KvsRequest> service = weft.services().lookup(KvsService.KVS_KEY);
        Collector collector = weft.spawn(new Collector(16));

        KvsReply.WatchStarted started = (KvsReply.WatchStarted) ask(service,
                r -> new KvsRequest.StartWatch(Kvs.PRIMARY, "k", WatchMode.VALUE, collector.events, r));
        kvs.primary().commit(new Txn().put("k", "1"));
        ask(service, r -> new KvsRequest.CancelWatch(started.watchId(), r));

        assertThat(collector.next(WatchEvent.Value.class).version()).isEqualTo(started.startVersion());
        assertThat(collector.next(WatchEvent.Value.class).value()).isEqualTo("1".getBytes());
        assertThat(collector.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
    }

    @Test
    void failedRequestsCompleteExceptionallyAndTheServiceCarriesOn() throws Exception {
        KvsService.lookupOrStart(weft, KvsOptions.inMemory());
        Inbox<KvsRequest> service = weft.services().lookup(KvsService.KVS_KEY);
        ask(service, r -> new KvsRequest.Commit(Kvs.PRIMARY, new Txn().put("x", "1"), r));

        assertThatThrownBy(() -> ask(service, r -> new KvsRequest.Get("missing", "x", KvsRequest.LATEST, r)))
                .hasCauseInstanceOf(KvsException.class);
        assertThatThrownBy(() -> ask(service, r -> new KvsRequest.Commit(Kvs.PRIMARY,
                new Txn().require("x", Txn.ABSENT).put("x", "2"), r)))
                .cause().isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.key()).isEqualTo("x"));
        assertThat(ask(service, r -> new KvsRequest.GetVersion(Kvs.PRIMARY, r))).isEqualTo(new KvsReply.Version(1));
    }

    @Test
    void shuttingTheServiceDownClosesTheStoreAndUnregistersIt() throws Exception {
        Kvs kvs = KvsService.lookupOrStart(weft, KvsOptions.inMemory());
        Inbox<KvsRequest> service = weft.services().lookup(KvsService.KVS_KEY);

        service.owner().shutdown();
        service.owner().join();

        assertThat(weft.services().lookup(KvsService.KVS_KEY)).isNull();
        assertThatThrownBy(() -> kvs.primary().commit(new Txn().put("a", "b"))).isInstanceOf(KvsException.class)
                .hasMessageContaining("closed");
        assertThat(List.of(KvsService.lookupOrStart(weft, KvsOptions.inMemory()))).doesNotContain(kvs);
    }

    private interface Request {
        KvsRequest make(CompletableFuture<KvsReply> reply);
    }

    private static KvsReply ask(Inbox<KvsRequest> service, Request request) throws Exception {
        CompletableFuture<KvsReply> reply = new CompletableFuture<>();
        service.send(request.make(reply));
        return reply.get(10, TimeUnit.SECONDS);
    }
}
