package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the network client does, against a real {@link KvsServer} over loopback: connections
 * that end, timeouts, reconnection, the reader thread. Every operation's behaviour is in
 * {@link KvsContract}, which runs against the server too.
 */
class KvsClientTest {
    /** Clients closed while events stream to them. */
    private static final int CLOSE_ROUNDS = 20;

    private Weft weft;
    private Kvs kvs;
    private KvsServer server;
    private KvsClient client;

    @BeforeEach
    void start() throws Exception {
        weft = Weft.start();
        kvs = Kvs.inMemory();
        server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
        client = KvsClient.connect(server.address());
    }

    @AfterEach
    void stop() {
        client.close();
        weft.close();
        kvs.close();
    }

    private static WatchEvent next(BlockingQueue<WatchEvent> events) throws InterruptedException {
        WatchEvent e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).as("a watch event within 10 s").isNotNull();
        return e;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void closingTheClientFailsLaterCallsAndEndsItsWatchesWithClosed() throws Exception {
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        client.primary().watch("k", WatchMode.VALUE, events::add);
        next(events);

        client.close();

        assertThat(next(events)).isInstanceOfSatisfying(WatchEvent.Ended.class,
                e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.CLOSED));
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.primary().version()).isInstanceOf(KvsException.class).hasMessageContaining("closed");
    }

    @Test
    void aStoppedServerFailsWaitingCallsInsteadOfHangingThem() throws Exception {
        CompletableFuture<Long> never = client.primary().whenVersion(1_000);

        server.close();

        assertThat(never).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(OutcomeUnknownException.class);
    }

    @Test
    void timedOutWaitsFreeTheirSlotsOnBothSidesAndTheConnectionCarriesOn() throws Exception {
        int maxInFlight = 16;
        KvsServer small = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxInFlight(maxInFlight));
        try (KvsClient c = KvsClient.connect(small.address())) {
            Namespace ns = c.primary();
            for (int i = 0; i < maxInFlight + 4; i++) {
                assertThat(ns.waitVersion(1_000_000, java.time.Duration.ofMillis(5))).as("wait %d times out", i).isFalse();
            }
            assertThat(c.outstanding()).as("the client forgot every timed-out call").isZero();

            CompletableFuture<Long> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return ns.put("k", "after the waits");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            assertThat(put).as("the server reads requests again").succeedsWithin(java.time.Duration.ofSeconds(10));
            assertThat(ns.getString("k")).isEqualTo("after the waits");
            assertThat(ns.waitVersion(1, java.time.Duration.ofSeconds(5))).as("a reachable wait still succeeds").isTrue();
        } finally {
            small.close();
        }
    }

    /**
     * A server that accepts connections and reads what they send but never answers (a paused or
     * wedged server), or closes each connection after its first frame (a server that dies).
     */
    private static final class FakeServer implements AutoCloseable {
        final java.nio.channels.ServerSocketChannel listener;
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.CountDownLatch firstFrame = new java.util.concurrent.CountDownLatch(1);
        private final Thread acceptor;

        FakeServer(boolean dieAfterFirstFrame) throws java.io.IOException {
            listener = java.nio.channels.ServerSocketChannel.open()
                    .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            acceptor = Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        java.nio.channels.SocketChannel ch = listener.accept();
                        accepted.incrementAndGet();
                        Thread.ofVirtual().start(() -> swallow(ch, dieAfterFirstFrame));
                    }
                } catch (java.io.IOException closed) {
                    // the test is done
                }
            });
        }

        private void swallow(java.nio.channels.SocketChannel ch, boolean die) {
            try (ch) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
                while (ch.read(buf.clear()) >= 0) {
                    firstFrame.countDown();
                    if (die) {
                        return;
                    }
                }
            } catch (java.io.IOException gone) {
                // the client closed
            }
        }

        java.net.InetSocketAddress address() throws java.io.IOException {
            return (java.net.InetSocketAddress) listener.getLocalAddress();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            assertThat(acceptor.join(java.time.Duration.ofSeconds(10))).isTrue();
        }
    }

    private static final java.time.Duration SHORT = java.time.Duration.ofMillis(200);

    @Test
    void aPausedServerFailsEveryKindOfCallWithOutcomeUnknownWithinTheTimeoutAndForgetsIt() throws Exception {
        try (FakeServer paused = new FakeServer(false);
                KvsClient c = KvsClient.connect(KvsClientOptions.of(paused.address()).withCallTimeout(SHORT))) {
            Namespace ns = c.primary();
            List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
                    () -> ns.get("k"), () -> ns.put("k", "v"), ns::version, () -> ns.list("."), () -> ns.latest(),
                    () -> ns.at(1).get("k"), () -> ns.waitVersion(5), c::namespaces, () -> c.createNamespace("n", "o"),
                    () -> ns.watch("k", WatchMode.VALUE, e -> { }));
            for (var call : calls) {
                assertThatThrownBy(call).isInstanceOf(OutcomeUnknownException.class).hasMessageContaining("no answer");
            }
            assertThat(ns.commitAsync(new Txn().put("k", "v"))).failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(OutcomeUnknownException.class);
            assertThat(ns.waitVersion(5, SHORT)).as("a timed wait just says no").isFalse();
            assertThat(c.outstanding()).as("every call that gave up was forgotten").isZero();
            assertThat(c.isOpen()).as("a slow answer does not end the connection").isTrue();
        }
    }

    @Test
    void theConnectHandshakeOfAPausedServerTimesOutToo() throws Exception {
        try (FakeServer paused = new FakeServer(false)) {
            KvsClientOptions options = KvsClientOptions.of(paused.address()).withToken("secret").withConnectTimeout(SHORT);

            assertThatThrownBy(() -> KvsClient.connect(options)).isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("authentication handshake");
        }
    }

    @Test
    void aNamespaceHandleWithItsOwnTimeoutGivesUpAtThatTimeout() throws Exception {
        try (FakeServer paused = new FakeServer(false); KvsClient c = KvsClient.connect(paused.address())) {
            Namespace quick = c.primary().withTimeout(SHORT);

            assertThatThrownBy(() -> quick.put("k", "v")).isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining(SHORT.toString());
        }
    }

    /**
     * The connection's one timer sleeps until the earliest deadline it knows; a call with a sooner
     * one must wake it, or the call would wait as long as the older one.
     */
    @Test
    void aCallWithAShortTimeoutGivesUpOnTimeWhileAnOlderCallWaitsLonger() throws Exception {
        try (FakeServer paused = new FakeServer(false);
                KvsClient c = KvsClient.connect(KvsClientOptions.of(paused.address()).withCallTimeout(java.time.Duration.ofSeconds(60)))) {
            CompletableFuture<Long> slow = c.primary().commitAsync(new Txn().put("slow", "v"));
            assertThat(c.outstanding()).as("an asynchronous call is in flight once it returns").isEqualTo(1);

            long start = System.nanoTime();
            assertThatThrownBy(() -> c.primary().withTimeout(SHORT).get("k")).isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining(SHORT.toString());
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(tookMillis).as("gave up at its own timeout, not the older call's 60 s")
                    .isGreaterThanOrEqualTo(SHORT.toMillis()).isLessThan(10_000);
            assertThat(slow).as("the older call still waits").isNotDone();
            assertThat(c.outstanding()).isEqualTo(1);
        }
    }

    /**
     * A callback on a timed-out asynchronous call that makes a synchronous call on the same client:
     * the inner call times out too (its deadline must not wait for the thread running the callback).
     */
    @Test
    void aSynchronousCallInsideTheCallbackOfATimedOutCallTimesOutToo() throws Exception {
        try (FakeServer paused = new FakeServer(false); KvsClient c = KvsClient.connect(paused.address())) {
            Namespace ns = c.primary().withTimeout(SHORT);
            CompletableFuture<Throwable> inner = new CompletableFuture<>();
            ns.commitAsync(new Txn().put("k", "v")).whenComplete((v, e) -> {
                try {
                    ns.get("k");
                    inner.complete(null);
                } catch (Throwable t) {
                    inner.complete(t);
                }
            });

            assertThat(inner.get(10, TimeUnit.SECONDS)).isInstanceOf(OutcomeUnknownException.class);
        }
    }

    @Test
    void aTimedOutCallsExceptionShowsWhereTheCallerWaited() throws Exception {
        try (FakeServer paused = new FakeServer(false); KvsClient c = KvsClient.connect(paused.address())) {
            assertThatThrownBy(() -> c.primary().withTimeout(SHORT).get("k")).isInstanceOfSatisfying(
                    OutcomeUnknownException.class, e -> assertThat(e.getStackTrace()).anySatisfy(frame -> assertThat(
                            frame.getMethodName()).isEqualTo("aTimedOutCallsExceptionShowsWhereTheCallerWaited")));
        }
    }

    /** Calls with many different timeouts, at once: each gives up no sooner than its own, and soon after it. */
    @Test
    void concurrentCallsWithDifferentTimeoutsEachGiveUpAtTheirOwn() throws Exception {
        int calls = 32;
        try (FakeServer paused = new FakeServer(false); KvsClient c = KvsClient.connect(paused.address());
                var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Long>> took = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                java.time.Duration timeout = java.time.Duration.ofMillis(100 + 25L * ((i * 7) % calls));
                Namespace ns = c.primary().withTimeout(timeout);
                took.add(threads.submit(() -> {
                    long start = System.nanoTime();
                    try {
                        ns.get("k");
                        throw new AssertionError("a paused server answered");
                    } catch (OutcomeUnknownException expected) {
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        assertThat(millis).as("waited at least its timeout %s", timeout)
                                .isGreaterThanOrEqualTo(timeout.toMillis());
                        return millis - timeout.toMillis();
                    }
                }));
            }
            for (var late : took) {
                assertThat(late.get(30, TimeUnit.SECONDS)).as("gave up soon after its timeout (ms late)").isLessThan(5_000);
            }
            assertThat(c.outstanding()).as("every call that gave up was forgotten").isZero();
        }
    }

    @Test
    void aServerThatDiesFailsThePendingCallWithOutcomeUnknownAndTheNextCallConnectsAgain() throws Exception {
        try (FakeServer dying = new FakeServer(true); KvsClient c = KvsClient.connect(dying.address())) {
            assertThatThrownBy(() -> c.primary().put("k", "v")).isInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("lost the connection");
            assertThat(c.isOpen()).isFalse();

            assertThatThrownBy(() -> c.primary().version()).isInstanceOf(OutcomeUnknownException.class);
            assertThat(dying.accepted.get()).as("the second call made a new connection").isEqualTo(2);
        }
    }

    /** A TCP relay in front of the server whose connections the test can cut while it keeps listening. */
    private static final class Relay implements AutoCloseable {
        final java.nio.channels.ServerSocketChannel listener;
        final java.util.Set<java.nio.channels.SocketChannel> open = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

        Relay(java.net.InetSocketAddress target) throws java.io.IOException {
            listener = java.nio.channels.ServerSocketChannel.open()
                    .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        java.nio.channels.SocketChannel in = listener.accept();
                        java.nio.channels.SocketChannel out = java.nio.channels.SocketChannel.open(target);
                        open.add(in);
                        open.add(out);
                        accepted.incrementAndGet();
                        Thread.ofVirtual().start(() -> pump(in, out));
                        Thread.ofVirtual().start(() -> pump(out, in));
                    }
                } catch (java.io.IOException closed) {
                    // the test is done
                }
            });
        }

        private static void pump(java.nio.channels.SocketChannel from, java.nio.channels.SocketChannel to) {
            try (from; to) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8192);
                while (from.read(buf.clear()) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                }
            } catch (java.io.IOException cut) {
                // one side was closed
            }
        }

        /** Closes every relayed connection, as a crash of the server would; goes on listening. */
        void cut() throws java.io.IOException {
            for (java.nio.channels.SocketChannel c : open) {
                c.close();
            }
            open.clear();
        }

        java.net.InetSocketAddress address() throws java.io.IOException {
            return (java.net.InetSocketAddress) listener.getLocalAddress();
        }

        @Override
        public void close() throws java.io.IOException {
            listener.close();
            cut();
        }
    }

    @Test
    void afterTheConnectionIsLostTheNextCallConnectsAgainAndOldWatchesHaveEnded() throws Exception {
        try (Relay relay = new Relay(server.address()); KvsClient c = KvsClient.connect(relay.address())) {
            c.primary().put("k", "before");
            BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            c.primary().watch("k", WatchMode.VALUE, events::add);
            assertThat(next(events)).isInstanceOf(WatchEvent.Value.class);

            relay.cut();

            assertThat(next(events)).as("the watch ends with the connection")
                    .isInstanceOfSatisfying(WatchEvent.Ended.class, e -> assertThat(e.reason()).isEqualTo(WatchEvent.Reason.CLOSED));
            assertThat(c.primary().getString("k")).as("the next call connects again").isEqualTo("before");
            assertThat(c.primary().put("k", "after")).isEqualTo(2);
            assertThat(c.isOpen()).isTrue();
            assertThat(relay.accepted.get()).as("a second connection was made").isEqualTo(2);
        }
    }

    @Test
    void tooManyWatchesOnOneConnectionIsALimitExceededException() throws Exception {
        KvsServer small = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxWatches(1));
        try (KvsClient c = KvsClient.connect(small.address())) {
            c.primary().watch("a", WatchMode.VALUE, e -> { });

            assertThatThrownBy(() -> c.primary().watch("b", WatchMode.VALUE, e -> { }))
                    .isInstanceOf(LimitExceededException.class).hasMessageContaining("cancel one first");
            assertThat(c.primary().put("still", "fine")).isPositive();
        } finally {
            small.close();
        }
    }

    /** A delivery seen by a watch callback: the thread it ran on and the event. */
    private record Delivery(Thread thread, WatchEvent event) {
    }

    @Test
    void closingAClientWhileEventsStreamEndsEachWatchOnceOnTheReaderThreadWithNothingAfter() throws Exception {
        Namespace store = kvs.primary();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; writing.get(); i++) {
                    store.commit(new Txn().put("hot", Long.toString(i)).put("warm", Long.toString(i)));
                    Thread.yield();                 // a steady stream, not one that starves the readers
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // A watch buffer the stream cannot fill within a round, so the watches end by the close.
        KvsServer roomy = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withWatchBuffer(1 << 16));
        int closedByClose = 0;
        try {
            for (int round = 0; round < CLOSE_ROUNDS; round++) {
                KvsClient c = KvsClient.connect(roomy.address());
                java.util.concurrent.ConcurrentLinkedQueue<Delivery> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
                java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(6);
                for (String key : List.of("hot", "warm")) {
                    c.primary().watch(key, WatchMode.VALUE, e -> {
                        seen.add(new Delivery(Thread.currentThread(), e));
                        streaming.countDown();
                    });
                }
                assertThat(streaming.await(10, TimeUnit.SECONDS)).as("events stream in round %d", round).isTrue();

                c.close();

                Thread reader = seen.peek().thread();
                assertThat(reader.join(java.time.Duration.ofSeconds(10))).as("the reader ends after close").isTrue();
                for (String key : List.of("hot", "warm")) {
                    List<Delivery> mine = seen.stream().filter(d -> d.event().key().equals(key)).toList();
                    assertThat(mine).as("round %d, %s: every callback on the reader thread", round, key)
                            .allSatisfy(d -> assertThat(d.thread()).isSameAs(reader));
                    assertThat(mine.stream().filter(d -> d.event() instanceof WatchEvent.Ended).count())
                            .as("round %d, %s: exactly one Ended", round, key).isEqualTo(1);
                    assertThat(mine.get(mine.size() - 1).event()).as("round %d, %s: the Ended comes last", round, key)
                            .isInstanceOf(WatchEvent.Ended.class);
                    if (((WatchEvent.Ended) mine.get(mine.size() - 1).event()).reason() == WatchEvent.Reason.CLOSED) {
                        closedByClose++;
                    }
                }
            }
        } finally {
            writing.set(false);
            assertThat(writer.join(java.time.Duration.ofSeconds(10))).isTrue();
            roomy.close();
        }
        assertThat(closedByClose).as("watches ended by the close (not by the server)").isPositive();
    }
}
