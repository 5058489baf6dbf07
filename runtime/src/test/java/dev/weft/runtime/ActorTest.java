package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ActorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** An actor whose handler is a lambda, for tests that need only one behaviour. */
    static class Handler<T> extends Actor<T> {
        private final ThrowingConsumer<T> handler;
        private final int throughput;

        Handler(String name, Class<T> type, int capacity, int throughput, ThrowingConsumer<T> handler) {
            super(name, type, capacity);
            this.handler = handler;
            this.throughput = throughput;
        }

        Handler(String name, Class<T> type, ThrowingConsumer<T> handler) {
            this(name, type, Weft.DEFAULT_INBOX_CAPACITY, DEFAULT_THROUGHPUT, handler);
        }

        @Override
        protected void onMessage(T message) throws Exception {
            handler.accept(message);
        }

        @Override
        protected int throughput() {
            return throughput;
        }
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    @Test
    void anActorMadeFromAHandlerHandlesEachMessageThenFailsWithWhatItThrows() throws Exception {
        try (Weft weft = Weft.start()) {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            Actor<String> echo = weft.spawn(Actor.of("echo", String.class, m -> {
                if (m.equals("boom")) {
                    throw new IllegalStateException("boom");
                }
                seen.add(m);
            }));
            echo.inbox.send("a");
            echo.inbox.send("b");
            echo.inbox.send("boom");

            Terminated end = echo.join(WAIT);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).hasMessage("boom");
            assertThat(seen).containsExactly("a", "b");
            assertThat(echo.name()).isEqualTo("echo");
            assertThat(Actor.of(String.class, m -> { }).name()).startsWith("HandlerActor#");
        }
    }

    @Test
    void anActorMadeFromNoHandlerIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Actor.of("printer", String.class, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Actor.of needs a message handler for printer");
    }

    @Test
    void neverTwoTurnsOfOneActorRunAtOnceUnderLoadFromManySenders() throws Exception {
        int senders = 8;
        int perSender = 25_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        List<Thread> turnThreads = Collections.synchronizedList(new ArrayList<>());
        Thread[] last = {null};
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (Weft weft = Weft.start()) {
            Handler<Integer> actor = weft.spawn(new Handler<>("serial", Integer.class, 16, 4, n -> {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                if (last[0] != Thread.currentThread()) {
                    last[0] = Thread.currentThread();
                    turnThreads.add(last[0]);
                }
                Thread.onSpinWait();
                inside.decrementAndGet();
                if (handled.incrementAndGet() == senders * perSender) {
                    done.complete(null);
                }
            }));
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perSender; i++) {
                            actor.inbox.send(i);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            done.get(30, TimeUnit.SECONDS);
            for (Thread t : threads) {
                t.join();
            }

            assertThat(overlaps.get()).as("handler calls that overlapped another").isZero();
            assertThat(handled.get()).isEqualTo(senders * perSender);
            assertThat(turnThreads).as("threads that ran turns").allSatisfy(
                    t -> assertThat(t.getName()).isEqualTo(Dispatcher.WORKER_NAME));
            assertThat(weft.dispatcher().workersStarted()).as("worker threads started (never one per turn)")
                    .isLessThan(senders * perSender / 100);
        }
    }

    @Test
    void aTurnTakesAtMostThroughputMessagesThenTheActorGoesBehindTheOthers() throws Exception {
        int throughput = 7;
        int messages = 100;
        List<String> handledBy = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(2 * messages);
        List<Handler<Integer>> actors = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Handler<Integer> actor = new Handler<>(name, Integer.class, 128, throughput, n -> {
                handledBy.add(name);
                all.countDown();
            });
            for (int i = 0; i < messages; i++) {
                assertThat(actor.inbox.trySend(i)).isTrue();   // queued before spawn: one long backlog
            }
            actors.add(actor);
        }
        try (Weft weft = Weft.builder().workers(1).stuckTurnThreshold(Duration.ofMinutes(10)).start()) {
            CountDownLatch bothQueued = new CountDownLatch(1);
            weft.spawn(new Actor<String>(String.class) {
                @Override
                protected void onStart() throws InterruptedException {
                    bothQueued.await();                     // holds the only worker until a and b both wait
                }

                @Override
                protected void onMessage(String message) {
                }
            });
            actors.forEach(weft::spawn);
            bothQueued.countDown();
            assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }

        List<String> turns = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (String name : handledBy) {
            if (turns.isEmpty() || !turns.get(turns.size() - 1).equals(name)) {
                turns.add(name);
                sizes.add(0);
            }
            sizes.set(sizes.size() - 1, sizes.get(sizes.size() - 1) + 1);
        }
        List<Integer> expectedSizes = new ArrayList<>(Collections.nCopies(2 * (messages / throughput), throughput));
        expectedSizes.addAll(List.of(messages % throughput, messages % throughput));
        assertThat(sizes).as("messages per turn, one worker, two actors with backlogs").isEqualTo(expectedSizes);
        for (int i = 1; i < turns.size(); i++) {
            assertThat(turns.get(i)).as("turn %d alternates with the other actor's", i).isNotEqualTo(turns.get(i - 1));
        }
    }

    @Test
    void aHandlerThatBlocksDoesNotStallOtherActors() throws Exception {
        int blockers = 4 * Runtime.getRuntime().availableProcessors();
        int messages = 1_000;
        CountDownLatch allBlocked = new CountDownLatch(blockers);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch othersDone = new CountDownLatch(messages);
        try (Weft weft = Weft.start()) {
            List<Handler<String>> blocked = new ArrayList<>();
            for (int i = 0; i < blockers; i++) {
                Handler<String> b = weft.spawn(new Handler<>("blocker-" + i, String.class, s -> {
                    allBlocked.countDown();
                    release.await();
                }));
                b.inbox.send("block");
                blocked.add(b);
            }
            assertThat(allBlocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every blocker entered its handler")
                    .isTrue();

            Handler<Integer> free = weft.spawn(new Handler<>("free", Integer.class, n -> othersDone.countDown()));
            for (int i = 0; i < messages; i++) {
                free.inbox.send(i);
            }

            assertThat(othersDone.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("an actor served all its messages while %d handlers blocked", blockers).isTrue();
            release.countDown();
        }
    }

    /** Sends the ball back; completes when the ball reaches the last number. */
    static final class Player extends Actor<Integer> {
        final Outbox<Integer> outbox = outbox(Integer.class);
        final CompletableFuture<Integer> lastSeen = new CompletableFuture<>();
        private final Watchdog watchdog;
        private final int handOffs;
        private int expected;

        Player(Watchdog watchdog, int handOffs, int firstExpected) {
            super(Integer.class);
            this.watchdog = watchdog;
            this.handOffs = handOffs;
            this.expected = firstExpected;
        }

        @Override
        protected void onMessage(Integer ball) throws InterruptedException {
            if (ball != expected) {
                lastSeen.completeExceptionally(new AssertionError("expected " + expected + " got " + ball));
                finish();
                return;
            }
            if ((ball & 0x3FFF) == 0) {
                watchdog.progress().set(ball);
            }
            if (ball + 1 >= handOffs) {
                if (ball + 1 == handOffs) {
                    outbox.send(ball + 1);
                }
                lastSeen.complete(ball);
                finish();
                return;
            }
            outbox.send(ball + 1);
            expected = ball + 2;
        }
    }

    @Test
    void noWakeUpIsLostInAMillionPingPongHandOffsBetweenTwoActors() throws Exception {
        int handOffs = 1_000_000;
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            Player ping = new Player(watchdog, handOffs, 1);
            Player pong = new Player(watchdog, handOffs, 0);
            ping.outbox.linkTo(pong.inbox);
            pong.outbox.linkTo(ping.inbox);
            weft.spawn(pong);
            weft.spawn(ping);
            pong.inbox.send(0);

            int pingLast = watchdog.await(ping.lastSeen);
            int pongLast = watchdog.await(pong.lastSeen);

            assertThat(new int[] {pingLast, pongLast}).as("last ball each player saw")
                    .containsExactlyInAnyOrder(handOffs - 1, handOffs);
            assertThat(ping.join().state()).isEqualTo(ComponentState.FINISHED);
            assertThat(pong.join().state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    record Numbered(int producer, int seq) {
    }

    @Test
    void fourProducersIntoOneActorArriveExactlyOnceInPerSenderOrder() throws Exception {
        int producers = 4;
        int perProducer = 250_000;
        int[] next = new int[producers];
        AtomicInteger outOfOrder = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(producers * perProducer);
        try (Weft weft = Weft.start(); Watchdog watchdog = new Watchdog(Duration.ofSeconds(10))) {
            Handler<Numbered> sink = weft.spawn(new Handler<>("sink", Numbered.class, m -> {
                if (m.seq() != next[m.producer()]) {
                    outOfOrder.incrementAndGet();
                }
                next[m.producer()] = m.seq() + 1;
                watchdog.progress().incrementAndGet();
                all.countDown();
            }));
            for (int p = 0; p < producers; p++) {
                int producer = p;
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < perProducer; i++) {
                            sink.inbox.send(new Numbered(producer, i));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            watchdog.await(CompletableFuture.runAsync(() -> {
                try {
                    all.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));

            assertThat(outOfOrder.get()).as("messages out of per-producer order").isZero();
            assertThat(next).as("next expected number per producer").containsOnly(perProducer);
            assertThat(all.getCount()).isZero();
        }
    }

    @Test
    void anExceptionInOnMessageFailsOnlyThatActor() throws Exception {
        LinkedBlockingQueue<String> seenByNeighbour = new LinkedBlockingQueue<>();
        try (Weft weft = Weft.start()) {
            Handler<String> doomed = weft.spawn(new Handler<>("doomed", String.class, s -> {
                throw new IllegalStateException("boom: " + s);
            }));
            Handler<String> neighbour = weft.spawn(new Handler<>("neighbour", String.class, seenByNeighbour::put));

            doomed.inbox.send("bad");
            Terminated news = doomed.join(WAIT);
            neighbour.inbox.send("still here");

            assertThat(news.state()).isEqualTo(ComponentState.FAILED);
            assertThat(news.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom: bad");
            assertThat(seenByNeighbour.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("still here");
            assertThat(neighbour.state()).isEqualTo(ComponentState.RUNNING);
            assertThatThrownBy(() -> doomed.inbox.send("after")).isInstanceOf(InboxClosedException.class);
            assertThat(weft.meterRegistry().get("weft.components.failed").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void stopEndsAnIdleActorStopped() throws Exception {
        try (Weft weft = Weft.start()) {
            Handler<String> idle = weft.spawn(new Handler<>("idle", String.class, s -> { }));

            idle.stop();

            assertThat(idle.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
            assertThat(weft.liveComponents()).isZero();
        }
    }

    @Test
    void stopInterruptsAHandlerBlockedInside() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        try (Weft weft = Weft.start()) {
            Handler<String> stuck = weft.spawn(new Handler<>("stuck", String.class, s -> {
                entered.countDown();
                new CountDownLatch(1).await();
            }));
            stuck.inbox.send("wait forever");
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            stuck.stop();

            Terminated news = stuck.join(WAIT);
            assertThat(news.state()).isEqualTo(ComponentState.STOPPED);
            assertThat(news.cause()).isNull();
        }
    }

    /** Records every signal, and finishes on Shutdown like the default. */
    static final class Watcher extends Actor<Component> {
        final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();

        Watcher() {
            super(Component.class);
        }

        @Override
        protected void onMessage(Component other) {
            watch(other);
        }

        @Override
        protected void onSignal(Signal signal) throws Exception {
            signals.put(signal);
            super.onSignal(signal);
        }
    }

    @Test
    void closingTheRuntimeShutsActorsDownThroughOnSignal() throws Exception {
        Watcher watcher = new Watcher();
        try (Weft weft = Weft.start()) {
            Handler<String> watched = weft.spawn(new Handler<>("watched", String.class, s -> { }));
            weft.spawn(watcher);
            watcher.inbox.send(watched);
            Probes.awaitCondition(() -> watcher.inbox.isEmpty(), "the watcher to take the message");
            watched.stop();
            Signal first = watcher.signals.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).isInstanceOfSatisfying(Terminated.class,
                    t -> assertThat(t.component()).isSameAs(watched));
        }
        assertThat(watcher.signals.poll()).isInstanceOf(Shutdown.class);
        assertThat(watcher.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
    }

    @Test
    void onlyTheCurrentTurnMayReceiveAndAHandlerMayWaitOnItsOwnInboxes() throws Exception {
        LinkedBlockingQueue<String> pairs = new LinkedBlockingQueue<>();
        final class Pairing extends Actor<String> {
            final Inbox<String> second = inbox("second", String.class);

            Pairing() {
                super(String.class);
            }

            @Override
            protected void onMessage(String first) throws InterruptedException {
                pairs.put(first + "+" + second.receive());
            }
        }
        try (Weft weft = Weft.start()) {
            Pairing actor = weft.spawn(new Pairing());

            assertThatThrownBy(() -> actor.inbox.poll()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only");
            actor.inbox.send("a");
            Probes.awaitParked(actor);
            actor.second.send("b");

            assertThat(pairs.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("a+b");
            assertThatThrownBy(() -> actor.second.poll()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void finishCalledOutsideTheHandlersIsRefused() {
        Consumer<Handler<String>> callFinish = Handler::finish;
        Handler<String> actor = new Handler<>("outside", String.class, s -> { });
        assertThatThrownBy(() -> callFinish.accept(actor)).isInstanceOf(IllegalStateException.class);
    }
}
