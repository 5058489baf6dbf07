package dev.weft.actors.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.actors.Await;
import dev.weft.actors.Collector;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.UnlinkedPolicy;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class SupervisorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> ABC = List.of("a", "b", "c");
    private static final int SUPERVISORS_PER_CLOSE = 40;
    private static final int CHILDREN_PER_SUPERVISOR = 25;
    private static final int CLOSE_ROUNDS = 5;
    private static final int PACED_CRASHES = 10;
    private static final int RACING_CRASHES = 50;

    /**
     * Obeys commands: "crash" (or "crash" and a suffix) throws, "finish" returns, anything else is
     * echoed with its instance's name. Every message it takes is first added to {@code taken}.
     */
    static final class Worker extends Component {
        final Inbox<String> inbox = inbox("inbox", String.class);
        final Outbox<String> outbox = outbox("outbox", String.class, UnlinkedPolicy.DISCARD);
        private final String label;
        private final BlockingQueue<String> ends;
        private final BlockingQueue<String> taken;

        Worker(String label, BlockingQueue<String> ends) {
            this(label, ends, new LinkedBlockingQueue<>());
        }

        Worker(String label, BlockingQueue<String> ends, BlockingQueue<String> taken) {
            this.label = label;
            this.ends = ends;
            this.taken = taken;
        }

        @Override
        protected void run() throws InterruptedException {
            try {
                for (;;) {
                    if (select(inbox, control) == control) {
                        if (control.poll() instanceof Shutdown) {
                            return;
                        }
                        continue;
                    }
                    String m = inbox.poll();
                    taken.add(m);
                    if (m.startsWith("crash")) {
                        throw new IllegalStateException(label + " crashed on purpose");
                    }
                    if (m.equals("finish")) {
                        return;
                    }
                    outbox.send(name() + ":" + m);
                }
            } finally {
                ends.add(label);
            }
        }
    }

    /** A running supervisor with its event log. */
    private static final class Tree {
        final Supervisor sup;
        final Collector<SupervisionEvent> events;
        final BlockingQueue<String> ends;
        /** Events seen while waiting for others, in order. */
        final List<SupervisionEvent> log = new ArrayList<>();

        Tree(Supervisor sup, Collector<SupervisionEvent> events, BlockingQueue<String> ends) {
            this.sup = sup;
            this.events = events;
            this.ends = ends;
        }

        Supervisor sup() {
            return sup;
        }

        Sink<String> entry(String child) {
            return sup.entry(child, "inbox", String.class);
        }

        /** Waits for the first event not yet returned that matches, and returns it. */
        <E extends SupervisionEvent> E await(Class<E> type, Predicate<E> matches) throws InterruptedException {
            for (SupervisionEvent e : log) {
                if (type.isInstance(e) && matches.test(type.cast(e))) {
                    log.remove(e);
                    return type.cast(e);
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (;;) {
                SupervisionEvent e = events.seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type.getSimpleName() + " came; saw " + log);
                }
                if (type.isInstance(e) && matches.test(type.cast(e))) {
                    return type.cast(e);
                }
                log.add(e);
            }
        }

        SupervisionEvent.Started restarted(String child, int restarts) throws InterruptedException {
            return await(SupervisionEvent.Started.class, s -> s.child().equals(child) && s.restarts() == restarts);
        }

        List<String> ends(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String e = ends.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (e == null) {
                    throw new AssertionError("only " + out + " ended");
                }
                out.add(e);
            }
            return out;
        }
    }

    private static Tree tree(Weft weft, Supervisor.Builder builder, List<String> names, Restart restart) {
        BlockingQueue<String> ends = new LinkedBlockingQueue<>();
        for (String n : names) {
            builder.child(ChildSpec.of(n, () -> new Worker(n, ends)).restart(restart).entry("inbox", String.class));
        }
        Supervisor sup = builder.build();
        Collector<SupervisionEvent> events = weft.spawn(new Collector<>(SupervisionEvent.class, 1024));
        weft.link(sup.events, events.inbox);
        return new Tree(sup, events, ends);
    }

    /** Builds a tree of PERMANENT workers a, b, c under {@code strategy}, spawns it and waits until all run. */
    private static Tree running(Weft weft, Strategy strategy) throws InterruptedException {
        Tree t = tree(weft, Supervisor.builder().strategy(strategy), ABC, Restart.PERMANENT);
        weft.spawn(t.sup());
        t.restarted("c", 0);
        return t;
    }

    private static List<Component> instances(Supervisor sup, List<String> names) {
        return names.stream().map(sup::instance).toList();
    }

    @Test
    void oneForOneRestartsOnlyTheChildThatEnded() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = running(weft, Strategy.ONE_FOR_ONE);
            List<Component> before = instances(t.sup(), ABC);

            t.entry("b").send("crash");
            t.restarted("b", 1);

            List<Component> after = instances(t.sup(), ABC);
            assertThat(after.get(0)).isSameAs(before.get(0));
            assertThat(after.get(1)).isNotSameAs(before.get(1));
            assertThat(after.get(2)).isSameAs(before.get(2));
            assertThat(before.get(1).state()).isEqualTo(ComponentState.FAILED);
            assertThat(after).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.RUNNING));
        }
    }

    @Test
    void oneForAllRestartsEveryChild() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = running(weft, Strategy.ONE_FOR_ALL);
            List<Component> before = instances(t.sup(), ABC);

            t.entry("b").send("crash");
            t.restarted("c", 1);

            List<Component> after = instances(t.sup(), ABC);
            for (int i = 0; i < 3; i++) {
                assertThat(after.get(i)).as(ABC.get(i)).isNotSameAs(before.get(i));
                assertThat(after.get(i).state()).isEqualTo(ComponentState.RUNNING);
            }
            assertThat(before.get(0).state()).as("a was shut down").isEqualTo(ComponentState.FINISHED);
            assertThat(before.get(2).state()).as("c was shut down").isEqualTo(ComponentState.FINISHED);
            assertThat(t.ends(3)).as("b crashed, then the others stopped in reverse order")
                    .containsExactly("b", "c", "a");
        }
    }

    @Test
    void restForOneRestartsTheChildAndThoseStartedAfterIt() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = running(weft, Strategy.REST_FOR_ONE);
            List<Component> before = instances(t.sup(), ABC);

            t.entry("b").send("crash");
            t.restarted("c", 1);

            List<Component> after = instances(t.sup(), ABC);
            assertThat(after.get(0)).as("a started before b and stays").isSameAs(before.get(0));
            assertThat(after.get(1)).isNotSameAs(before.get(1));
            assertThat(after.get(2)).isNotSameAs(before.get(2));
            assertThat(before.get(2).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(after).allSatisfy(c -> assertThat(c.state()).isEqualTo(ComponentState.RUNNING));
        }
    }

    /** Spawns the supervisor as its child and keeps the supervisor's Terminated. */
    static final class Parent extends Component {
        final CompletableFuture<Terminated> childEnded = new CompletableFuture<>();
        private final Supervisor sup;

        Parent(Supervisor sup) {
            this.sup = sup;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(sup);
            for (;;) {
                if (control.receive() instanceof Terminated t && t.component() == sup) {
                    childEnded.complete(t);
                    return;
                }
            }
        }
    }

    @Test
    void exceedingTheIntensityStopsTheChildrenAndFailsTheSupervisorToItsParent() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = tree(weft, Supervisor.builder().intensity(2, Duration.ofMinutes(1)), ABC, Restart.PERMANENT);
            Parent parent = weft.spawn(new Parent(t.sup()));
            t.restarted("c", 0);

            t.entry("a").send("crash");
            t.restarted("a", 1);
            t.entry("a").send("crash");
            t.restarted("a", 2);
            List<Component> last = instances(t.sup(), ABC);
            t.entry("a").send("crash");

            Terminated end = parent.childEnded.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(EscalationException.class)
                    .hasMessageContaining("restart 3").hasMessageContaining("2 allowed")
                    .hasRootCauseMessage("a crashed on purpose");
            SupervisionEvent.GivingUp gaveUp = t.await(SupervisionEvent.GivingUp.class, g -> true);
            assertThat(gaveUp.child()).isEqualTo("a");
            assertThat(last).allSatisfy(c -> assertThat(c.state().isTerminal()).isTrue());
        }
    }

    @Test
    void messagesSentThroughTheServiceKeyReachTheRestartedChild() throws Exception {
        ServiceKey<String> key = ServiceKey.of("test.worker", String.class);
        try (Weft weft = Weft.start()) {
            Collector<String> echoes = weft.spawn(new Collector<>(String.class));
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor sup = weft.spawn(Supervisor.builder()
                    .child(ChildSpec.of("worker", () -> new Worker("worker", ends))
                            .register(key, "inbox")
                            .link("outbox", echoes.inbox))
                    .build());
            // the key leads to the instance before the supervisor has recorded it: wait for both
            Await.condition(() -> weft.services().lookup(key) != null && sup.instance("worker") != null,
                    "the worker to be registered and recorded");
            Sink<String> first = weft.services().lookup(key);
            Component firstWorker = sup.instance("worker");
            assertThat(first).isSameAs(firstWorker.findInbox("inbox"));
            first.send("hello");
            assertThat(echoes.take(1)).containsExactly(firstWorker.name() + ":hello");

            first.send("crash");
            Await.condition(() -> {
                Sink<String> now = weft.services().lookup(key);
                return now != null && now != first;
            }, "the restarted worker to be registered");
            Sink<String> second = weft.services().lookup(key);
            second.send("again");

            List<String> again = echoes.take(1);
            Await.condition(() -> sup.instance("worker") != null && sup.instance("worker") != firstWorker,
                    "the restarted worker to be recorded");
            Component secondWorker = sup.instance("worker");
            assertThat(again).containsExactly(secondWorker.name() + ":again");
            assertThat(second).isSameAs(secondWorker.findInbox("inbox"));
            assertThat(secondWorker).isNotSameAs(firstWorker);
        }
    }

    @Test
    void messagesSentToAnEntryWhileTheChildIsDownWaitAndReachTheNextInstanceInOrder() throws Exception {
        try (Weft weft = Weft.start()) {
            Collector<String> echoes = weft.spawn(new Collector<>(String.class));
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor sup = Supervisor.builder()
                    .backoff(Duration.ofMillis(100), Duration.ofMillis(100))
                    .child(ChildSpec.of("worker", () -> new Worker("worker", ends))
                            .entry("inbox", String.class)
                            .link("outbox", echoes.inbox))
                    .build();
            Collector<SupervisionEvent> events = weft.spawn(new Collector<>(SupervisionEvent.class, 64));
            weft.link(sup.events, events.inbox);
            weft.spawn(sup);
            Tree t = new Tree(sup, events, ends);
            Sink<String> entry = sup.entry("worker", "inbox", String.class);

            entry.send("crash");
            t.await(SupervisionEvent.Exited.class, e -> true);   // down: not merely done with its last message
            for (String m : List.of("one", "two", "three")) {
                entry.send(m);
            }

            List<String> got = echoes.take(3);
            String instance = sup.instance("worker").name();
            assertThat(got).containsExactly(instance + ":one", instance + ":two", instance + ":three");
        }
    }

    @Test
    void backOffDoublesWithEachRecentRestartUpToItsCap() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = tree(weft, Supervisor.builder()
                    .intensity(10, Duration.ofMinutes(1))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)), List.of("a"), Restart.PERMANENT);
            weft.spawn(t.sup());
            List<Duration> delays = new ArrayList<>();

            for (int i = 1; i <= 4; i++) {
                t.entry("a").send("crash");
                delays.add(t.await(SupervisionEvent.RestartScheduled.class, r -> true).delay());
                t.restarted("a", i);
            }

            assertThat(delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                    Duration.ofMillis(50));
        }
    }

    @Test
    void temporaryChildrenAreNeverRestartedAndTransientOnlyAfterAFailure() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor.Builder b = Supervisor.builder()
                    .child(ChildSpec.of("temp", () -> new Worker("temp", ends)).restart(Restart.TEMPORARY)
                            .entry("inbox", String.class))
                    .child(ChildSpec.of("done", () -> new Worker("done", ends)).restart(Restart.TRANSIENT)
                            .entry("inbox", String.class))
                    .child(ChildSpec.of("flaky", () -> new Worker("flaky", ends)).restart(Restart.TRANSIENT)
                            .entry("inbox", String.class));
            Tree t = tree(weft, b, List.of(), Restart.PERMANENT);
            weft.spawn(t.sup());
            t.restarted("flaky", 0);

            t.entry("temp").send("crash");
            t.await(SupervisionEvent.Exited.class, e -> e.child().equals("temp"));
            t.entry("done").send("finish");
            t.await(SupervisionEvent.Exited.class, e -> e.child().equals("done"));
            t.entry("flaky").send("crash");
            t.restarted("flaky", 1);

            assertThat(t.sup().instance("temp")).isNull();
            assertThat(t.sup().instance("done")).isNull();
            assertThat(t.sup().instance("flaky").state()).isEqualTo(ComponentState.RUNNING);
            assertThat(t.log).noneMatch(e -> e instanceof SupervisionEvent.RestartScheduled r
                    && !r.child().equals("flaky"));
        }
    }

    @Test
    void shutdownStopsTheChildrenInReverseOrderAndEndsTheSupervisor() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = tree(weft, Supervisor.builder(), ABC, Restart.PERMANENT);
            weft.spawn(t.sup());
            t.restarted("c", 0);

            t.sup().shutdown();

            assertThat(t.sup().join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(t.ends(3)).containsExactly("c", "b", "a");
            assertThat(t.ends).as("nothing else ended").isEmpty();
        }
    }

    /** Ignores Shutdown (counting it down on {@code shutdownSeen}) and ends only when interrupted. */
    static final class Stubborn extends Component {
        final Inbox<String> inbox = inbox("inbox", String.class);
        private final java.util.concurrent.CountDownLatch shutdownSeen;

        Stubborn(java.util.concurrent.CountDownLatch shutdownSeen) {
            this.shutdownSeen = shutdownSeen;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (control.receive() instanceof Shutdown) {
                    shutdownSeen.countDown();
                }
            }
        }
    }

    private static ChildSpec<Worker> spec(String name, Restart restart, BlockingQueue<String> ends) {
        return ChildSpec.of(name, () -> new Worker(name, ends)).restart(restart).entry("inbox", String.class);
    }

    @Test
    void oneForAllNeverRestartsATemporarySiblingItStopped() throws Exception {
        assertATemporarySiblingStaysDown(Strategy.ONE_FOR_ALL, "a");
    }

    @Test
    void restForOneNeverRestartsATemporarySiblingItStopped() throws Exception {
        assertATemporarySiblingStaysDown(Strategy.REST_FOR_ONE, "b");
    }

    /**
     * Children a, b (PERMANENT), temp (TEMPORARY) and d (TRANSIENT): {@code crasher} crashes and its
     * group, temp included, is stopped; all but temp come back.
     */
    private static void assertATemporarySiblingStaysDown(Strategy strategy, String crasher) throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor.Builder b = Supervisor.builder().strategy(strategy)
                    .child(spec("a", Restart.PERMANENT, ends))
                    .child(spec("b", Restart.PERMANENT, ends))
                    .child(spec("temp", Restart.TEMPORARY, ends))
                    .child(spec("d", Restart.TRANSIENT, ends));
            Tree t = tree(weft, b, List.of(), Restart.PERMANENT);
            weft.spawn(t.sup());
            t.restarted("d", 0);
            Component temp = t.sup().instance("temp");

            t.entry(crasher).send("crash");
            t.restarted(crasher, 1);
            t.restarted("d", 1);              // started after temp in spec order: temp's chance has passed

            assertThat(temp.state()).as("temp was stopped with its group").isEqualTo(ComponentState.FINISHED);
            assertThat(t.sup().instance("temp")).as("TEMPORARY never comes back").isNull();
            assertThat(t.log).noneMatch(e -> e.child().equals("temp") && (e instanceof SupervisionEvent.RestartScheduled
                    || e instanceof SupervisionEvent.Started started && started.restarts() > 0));
        }
    }

    @Test
    void exitedIsReportedForTheInstancesTheSupervisorStopsItself() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = running(weft, Strategy.ONE_FOR_ALL);
            List<Component> before = instances(t.sup(), ABC);

            t.entry("b").send("crash");
            t.restarted("c", 1);

            for (int i : new int[] {0, 2}) {
                SupervisionEvent.Exited exited = t.await(SupervisionEvent.Exited.class,
                        e -> e.how().component() == before.get(i));
                assertThat(exited.child()).isEqualTo(ABC.get(i));
                assertThat(exited.how().state()).isEqualTo(ComponentState.FINISHED);
            }

            List<Component> after = instances(t.sup(), ABC);
            t.sup().shutdown();
            assertThat(t.sup().join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            for (int i = 0; i < 3; i++) {
                Component instance = after.get(i);
                assertThat(t.await(SupervisionEvent.Exited.class, e -> e.how().component() == instance).child())
                        .isEqualTo(ABC.get(i));
            }
        }
    }

    @Test
    void theEntryOfAChildGoneForGoodRefusesSenders() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor.Builder b = Supervisor.builder().name("workers")
                    .child(spec("temp", Restart.TEMPORARY, ends))
                    .child(spec("done", Restart.TRANSIENT, ends));
            Tree t = tree(weft, b, List.of(), Restart.PERMANENT);
            weft.spawn(t.sup());
            t.restarted("done", 0);

            t.entry("temp").send("crash");
            t.entry("done").send("finish");

            for (String child : List.of("temp", "done")) {
                Sink<String> entry = t.entry(child);
                assertThat(t.sup().entryRelay(child, "inbox").join(WAIT).state()).as("the entry of %s ends with it", child)
                        .isEqualTo(ComponentState.FINISHED);
                assertThatThrownBy(() -> entry.send("hello?", WAIT))
                        .isInstanceOf(InboxClosedException.class)
                        .hasMessageContaining("workers").hasMessageContaining(child).hasMessageContaining("inbox");
            }
            assertThat(t.sup().state()).isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void anInterruptedSupervisorStillStopsEveryChild() throws Exception {
        try (Weft weft = Weft.start()) {
            java.util.concurrent.CountDownLatch shutdownSeen = new java.util.concurrent.CountDownLatch(1);
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            Supervisor sup = weft.spawn(Supervisor.builder()
                    .shutdownGrace(Duration.ofHours(1))
                    .child(spec("fast", Restart.PERMANENT, ends))
                    .child(ChildSpec.of("slow", () -> new Stubborn(shutdownSeen)).entry("inbox", String.class))
                    .build());
            Await.condition(() -> sup.instance("slow") != null, "slow to start");
            Component fast = sup.instance("fast");
            Component slow = sup.instance("slow");

            sup.shutdown();
            assertThat(shutdownSeen.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            sup.stop();                                     // while it waits for slow, in its grace

            assertThat(sup.join(WAIT).state()).isEqualTo(ComponentState.STOPPED);
            assertThat(slow.state()).as("the slow child was interrupted").isEqualTo(ComponentState.STOPPED);
            assertThat(fast.state().isTerminal()).as("the child not yet reached was stopped too").isTrue();
            for (String child : List.of("fast", "slow")) {
                Sink<String> entry = sup.entry(child, "inbox", String.class);
                assertThatThrownBy(() -> entry.trySend("late")).as("the entry of %s is closed", child)
                        .isInstanceOf(InboxClosedException.class);
            }
        }
    }

    @Test
    void anOuterSupervisorWithAShortGraceLeavesNoGrandchildRunning() throws Exception {
        try (Weft weft = Weft.start()) {
            java.util.concurrent.CountDownLatch shutdownSeen = new java.util.concurrent.CountDownLatch(1);
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            List<Supervisor> inner = new ArrayList<>();
            Supervisor outer = weft.spawn(Supervisor.builder()
                    .shutdownGrace(Duration.ofMillis(300))
                    .child(ChildSpec.of("inner", () -> {
                        Supervisor s = Supervisor.builder()
                                .shutdownGrace(Duration.ofSeconds(5))
                                .child(spec("fast", Restart.PERMANENT, ends))
                                .child(ChildSpec.of("slow", () -> new Stubborn(shutdownSeen)))
                                .build();
                        inner.add(s);
                        return s;
                    }))
                    .build());
            Await.condition(() -> !inner.isEmpty() && inner.get(0).instance("slow") != null, "the grandchildren");
            Supervisor in = inner.get(0);
            Component fast = in.instance("fast");
            Component slow = in.instance("slow");

            outer.shutdown();

            assertThat(outer.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(in.state()).as("the inner supervisor was interrupted").isEqualTo(ComponentState.STOPPED);
            assertThat(List.of(fast, slow)).allSatisfy(c -> assertThat(c.state().isTerminal()).as(c.name()).isTrue());
            Sink<String> entry = in.entry("fast", "inbox", String.class);
            assertThatThrownBy(() -> entry.trySend("late")).as("the inner entry is closed")
                    .isInstanceOf(InboxClosedException.class);
            // a parent hears of a child's end before the runtime forgets the child: join each first
            for (Component c : List.of(in, fast, slow)) {
                c.join(WAIT);
            }
            assertThat(weft.liveComponents()).as("nothing of the tree is left").isZero();
        }
    }

    @Test
    void closingTheRuntimeEndsSupervisorsCleanlyWithoutRestarts() throws Exception {
        for (int round = 0; round < CLOSE_ROUNDS; round++) {
            List<Terminated> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Weft weft = Weft.builder().onFailure(failures::add).start();
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            List<Supervisor> sups = new ArrayList<>();
            for (int i = 0; i < SUPERVISORS_PER_CLOSE; i++) {
                Supervisor.Builder b = Supervisor.builder().strategy(Strategy.values()[i % 3]);
                for (int c = 0; c < CHILDREN_PER_SUPERVISOR; c++) {
                    b.child(spec("w" + c, Restart.PERMANENT, ends));
                }
                sups.add(weft.spawn(b.build()));
            }
            String last = "w" + (CHILDREN_PER_SUPERVISOR - 1);
            for (Supervisor s : sups) {
                Await.condition(() -> s.instance(last) != null, "every child to start");
            }

            weft.close();

            assertThat(sups).as("round %d", round)
                    .allSatisfy(s -> assertThat(s.join(WAIT).state()).isEqualTo(ComponentState.FINISHED));
            assertThat(failures).as("round %d: nothing failed", round).isEmpty();
        }
    }

    @Test
    void shutdownDuringABackOffIsObeyedAtOnceWhileTheEntryHoldsAMessage() throws Exception {
        try (Weft weft = Weft.start()) {
            Tree t = tree(weft, Supervisor.builder()
                    .shutdownGrace(Duration.ofSeconds(3))
                    .backoff(Duration.ofHours(1), Duration.ofHours(1)), List.of("a"), Restart.PERMANENT);
            weft.spawn(t.sup());
            t.restarted("a", 0);
            t.entry("a").send("crash");
            t.await(SupervisionEvent.RestartScheduled.class, r -> true);
            t.entry("a").send("waits for the next instance");

            t.sup().shutdown();

            assertThat(t.sup().join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(t.sup().entryRelay("a", "inbox").join(WAIT).state()).as("the entry obeyed Shutdown, not the interrupt")
                    .isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void theEntryNeverHandsAMessageToTwoInstances() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<String> taken = new LinkedBlockingQueue<>();
            Supervisor sup = Supervisor.builder()
                    .intensity(PACED_CRASHES + RACING_CRASHES + 1, Duration.ofMinutes(10))
                    .child(ChildSpec.of("r", () -> new Worker("r", new LinkedBlockingQueue<>(), taken))
                            .entry("inbox", String.class))
                    .build();
            Collector<SupervisionEvent> events = weft.spawn(new Collector<>(SupervisionEvent.class, 1024));
            weft.link(sup.events, events.inbox);
            weft.spawn(sup);
            Tree t = new Tree(sup, events, new LinkedBlockingQueue<>());
            Sink<String> entry = t.entry("r");
            List<String> sent = new ArrayList<>();

            // when: an instance takes a message and crashes on it, and the entry relinks to the next
            for (int crash = 0; crash < PACED_CRASHES; crash++) {
                sent.add("crash" + crash);
                entry.send("crash" + crash);
                t.restarted("r", crash + 1);
            }
            List<String> paced = List.copyOf(taken);
            // and: messages follow each crash at once, racing with the instance's end and the restart
            for (int crash = 0; crash < RACING_CRASHES; crash++) {
                for (String m : List.of("crash-racing" + crash, crash + ".0", crash + ".1", crash + ".2")) {
                    sent.add(m);
                    entry.send(m);
                }
            }
            sup.shutdown();
            sup.join(WAIT);

            // then: what was queued in a crashing instance is lost with it, but nothing is taken twice
            assertThat(paced).as("each crash message taken once, by the instance it crashed")
                    .isEqualTo(sent.subList(0, PACED_CRASHES));
            List<String> got = new ArrayList<>(taken);
            assertThat(got).as("no message taken twice").doesNotHaveDuplicates();
            assertThat(sent).as("taken in the order sent").containsSubsequence(got);
        }
    }

    @Test
    void aChildThatCannotBeStartedEscalates() throws Exception {
        try (Weft weft = Weft.start()) {
            Supervisor sup = weft.spawn(Supervisor.builder()
                    .child(ChildSpec.of("broken", () -> new Worker("broken", new LinkedBlockingQueue<>()))
                            .link("no-such-outbox", weft.spawn(new Collector<>(String.class)).inbox))
                    .build());

            Terminated end = sup.join(WAIT);

            assertThat(end.state()).isEqualTo(ComponentState.FAILED);
            assertThat(end.cause()).isInstanceOf(EscalationException.class)
                    .hasMessageContaining("cannot start child 'broken'")
                    .hasMessageContaining("has no outbox 'no-such-outbox'");
        }
    }
}
