package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Inbox#takeInline}: senders hand a message to the owner's taker on their own thread while nothing is queued. */
class InlineTakerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final LogCapture log = new LogCapture(Inbox.class.getName());

    @BeforeEach
    void captureTheInboxLog() {
        log.attach();
    }

    @AfterEach
    void restoreTheInboxLog() {
        log.detach();
    }

    /** Takes one message from its inbox (waking for it), then waits for Shutdown. */
    static final class Owner extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 8);
        final CompletableFuture<Integer> firstQueued = new CompletableFuture<>();

        Owner(String name, Predicate<Integer> taker) {
            super(name);
            inbox.takeInline(taker);
        }

        @Override
        protected void run() throws InterruptedException {
            firstQueued.complete(inbox.receive());
            control.receive();
        }
    }

    /** A composite's outer inbox that passes through to an owner's inbox. */
    static final class Outer extends Component {
        final Inbox<Integer> inbox = inbox("outer", Integer.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    /** Sends what it is told to through an outbox (a link), from its own thread. */
    static final class Sender extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class);
        final Outbox<Integer> outbox = outbox("outbox", Integer.class);

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == control) {
                    return;
                }
                outbox.send(inbox.poll());
            }
        }
    }

    @Test
    void aTakerHandlesEverySendToAnEmptyInboxWithoutWakingTheParkedOwner() throws Exception {
        try (Weft weft = Weft.start()) {
            List<Integer> taken = new CopyOnWriteArrayList<>();
            Owner owner = new Owner("owner", m -> m >= 0 && taken.add(m));
            Outer outer = new Outer();
            outer.inbox.passThrough(owner.inbox);
            Sender sender = new Sender();
            sender.outbox.linkTo(owner.inbox);
            weft.spawn(owner);
            weft.spawn(outer);
            weft.spawn(sender);
            Probes.awaitParked(owner);
            double sentBefore = counter(weft, "weft.messages.sent");
            double receivedBefore = counter(weft, "weft.messages.received");

            // when: sends of every kind find the inbox empty (the taker keeps it so)
            owner.inbox.send(0);
            owner.inbox.send(1, WAIT);
            assertThat(owner.inbox.trySend(2)).isTrue();
            outer.inbox.send(3);                       // a pass-through that resolves to the owner's inbox
            sender.inbox.send(4);                      // the sender's outbox, linked to the owner's inbox
            Probes.awaitCondition(() -> taken.size() == 5, "the linked send to reach the taker");

            // then: handled in order, counted sent and received, never queued, the owner still parked
            assertThat(taken).containsExactly(0, 1, 2, 3, 4);
            assertThat(owner.inbox.isEmpty()).isTrue();
            assertThat(owner.isParked()).as("the owner was never woken").isTrue();
            assertThat(receivedOf(weft, "owner")).isEqualTo(5);
            // the sender's own inbox counts one more sent and received message (the 4 it relayed)
            assertThat(counter(weft, "weft.messages.sent") - sentBefore).isEqualTo(6);
            assertThat(counter(weft, "weft.messages.received") - receivedBefore).isGreaterThanOrEqualTo(5);

            // and: one the taker declines is queued and wakes the owner
            owner.inbox.send(-1);
            assertThat(owner.firstQueued.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(receivedOf(weft, "owner")).isEqualTo(6);
            assertThat(taken).containsExactly(0, 1, 2, 3, 4);
        }
    }

    /** Drains its inbox under a lock once let go; its taker takes a message while the inbox is empty. */
    static final class Drainer extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 2);
        final List<Integer> handled = new CopyOnWriteArrayList<>();
        final java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicBoolean takerOpen = new java.util.concurrent.atomic.AtomicBoolean();
        private final ReentrantLock turn = new ReentrantLock();

        Drainer() {
            super("drainer");
            inbox.takeInline(m -> {
                if (!takerOpen.get() || !turn.tryLock()) {
                    return false;
                }
                try {
                    return inbox.isEmpty() && handled.add(m);
                } finally {
                    turn.unlock();
                }
            });
        }

        @Override
        protected void run() throws InterruptedException {
            letGo.await();
            for (;;) {
                if (select(inbox, control) == control) {
                    return;
                }
                turn.lock();
                try {
                    for (Integer m; (m = inbox.poll()) != null; ) {
                        handled.add(m);
                    }
                } finally {
                    turn.unlock();
                }
            }
        }
    }

    /**
     * Each take lets one parked sender in. A sender let in that finds the inbox empty and is taken
     * inline makes no room for the next, so an inline take lets the next one in too; before it did,
     * senders stayed parked at an empty inbox (failed 3 of 3 runs, each in its first round).
     */
    @Test
    void everySenderParkedOnAFullInboxGetsInWhenTheTakerTakesWhatTheyBring() throws Exception {
        int senders = 4;
        for (int round = 0; round < 50; round++) {
            try (Weft weft = Weft.start()) {
                Drainer owner = weft.spawn(new Drainer());
                owner.inbox.send(-1);
                owner.inbox.send(-2);                    // full (capacity 2), the taker still closed
                double waitsBefore = counter(weft, "weft.backpressure.waits");
                List<Thread> parked = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    int m = s;
                    parked.add(Thread.ofPlatform().start(() -> {
                        try {
                            owner.inbox.send(m);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                Probes.awaitCondition(() -> counter(weft, "weft.backpressure.waits") - waitsBefore >= senders,
                        "every sender to park on the full inbox");

                owner.takerOpen.set(true);
                owner.letGo.countDown();

                for (Thread t : parked) {
                    t.join(WAIT.toMillis());
                    assertThat(t.isAlive()).as("round %d: a sender still parked; handled %s", round, owner.handled).isFalse();
                }
                Probes.awaitCondition(() -> owner.handled.size() == senders + 2, "the queued ones to be handled too");
                assertThat(owner.handled).as("round %d", round).containsExactlyInAnyOrder(-2, -1, 0, 1, 2, 3);
            }
        }
    }

    @Test
    void anAskIsAnsweredByTheTakerOnTheAskersThread() throws Exception {
        try (Weft weft = Weft.start()) {
            AtomicInteger calls = new AtomicInteger();
            Asked asked = new Asked(calls);
            weft.spawn(asked);
            Thread asker = Thread.currentThread();
            int answer = asked.inbox.<Integer>ask(r -> new Question(asker, 20, r), WAIT);

            assertThat(answer).isEqualTo(21);
            assertThat(calls).hasValue(1);
            assertThat(receivedOf(weft, "asked")).isEqualTo(1);
        }
    }

    record Question(Thread asker, int n, ReplyTo<Integer> replyTo) {
    }

    /** Answers questions inline, and only on the thread that asked. */
    static final class Asked extends Component {
        final Inbox<Question> inbox = inbox("inbox", Question.class, 4);

        Asked(AtomicInteger calls) {
            super("asked");
            inbox.takeInline(q -> {
                calls.incrementAndGet();
                if (q.asker() != Thread.currentThread()) {
                    return false;
                }
                q.replyTo().reply(q.n() + 1);
                return true;
            });
        }

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    /** Receives three messages, then waits for Shutdown. */
    static final class Decliner extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 8);
        final List<Integer> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> gotThree = new CompletableFuture<>();

        Decliner() {
            super("decliner");
            inbox.takeInline(m -> {
                if (m == 2) {
                    throw new IllegalStateException("planned taker failure");
                }
                return false;
            });
        }

        @Override
        protected void run() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                received.add(inbox.receive());
            }
            gotThree.complete(null);
            control.receive();
        }
    }

    @Test
    void aDecliningOrThrowingTakerLeavesTheMessageQueuedInOrderAndTheThrowIsLogged() throws Exception {
        try (Weft weft = Weft.start()) {
            Decliner owner = weft.spawn(new Decliner());
            Probes.awaitParked(owner);

            owner.inbox.send(1);                     // declined: queued, the owner woken
            Probes.awaitCondition(() -> owner.received.size() == 1 && owner.isParked(), "the owner to take 1");
            owner.inbox.send(2);                     // the taker (called: the inbox is empty) throws; the sender does not fail
            assertThat(owner.inbox.trySend(3)).isTrue();

            owner.gotThree.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(owner.received).containsExactly(1, 2, 3);
            assertThat(receivedOf(weft, "decliner")).isEqualTo(3);
            assertThat(log.records()).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("inbox 'inbox' of decliner").contains("queued");
                assertThat(r.getThrown()).hasMessage("planned taker failure");
            });
        }
    }

    @Test
    void theTakerIsNotCalledOnTheOwnersOwnThread() throws Exception {
        try (Weft weft = Weft.start()) {
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<Integer> got = new CompletableFuture<>();
            Component owner = new Component("self-sender") {
                final Inbox<Integer> inbox = inbox("inbox", Integer.class, 8);

                {
                    inbox.takeInline(m -> calls.incrementAndGet() > 0);
                }

                @Override
                protected void run() throws InterruptedException {
                    inbox.send(7);                     // queued: the owner is awake anyway
                    got.complete(inbox.receive());
                    control.receive();
                }
            };
            weft.spawn(owner);

            assertThat(got.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void misuseIsRefusedWithAClearError() throws Exception {
        try (Weft weft = Weft.start()) {
            Owner owner = new Owner("misused", m -> false);
            assertThatThrownBy(() -> owner.inbox.takeInline(m -> true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inbox 'inbox' of misused").hasMessageContaining("already");

            Outer outer = new Outer();
            outer.inbox.passThrough(owner.inbox);
            assertThatThrownBy(() -> outer.inbox.takeInline(m -> true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("passes through to misused.inbox").hasMessageContaining("set it on that inbox");
            Outer taking = new Outer();
            taking.inbox.takeInline(m -> true);
            assertThatThrownBy(() -> taking.inbox.passThrough(owner.inbox))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has an inline taker");

            Outer fresh = new Outer();
            fresh.inbox.takeInline(m -> true);       // before spawn: allowed
            weft.spawn(fresh);
            weft.spawn(owner);
            Outer late = weft.spawn(new Outer());
            assertThatThrownBy(() -> late.inbox.takeInline(m -> true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inbox 'outer' of " + late.name())
                    .hasMessageContaining("before the component is spawned");
            assertThatThrownBy(() -> late.inbox.takeInline(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void aClosedInboxNeverCallsItsTakerAndTheSendFailsAsBefore() throws Exception {
        try (Weft weft = Weft.start()) {
            AtomicInteger calls = new AtomicInteger();
            Owner owner = weft.spawn(new Owner("ending", m -> calls.incrementAndGet() > 0));
            owner.stop();
            owner.join(WAIT);
            double deadBefore = counter(weft, "weft.messages.dead");

            assertThatThrownBy(() -> owner.inbox.send(1)).isInstanceOf(InboxClosedException.class);
            assertThatThrownBy(() -> owner.inbox.trySend(2)).isInstanceOf(InboxClosedException.class);
            assertThat(calls).hasValue(0);
            assertThat(counter(weft, "weft.messages.dead") - deadBefore).isEqualTo(2);
        }
    }

    /**
     * Four senders against an owner that takes under the recipe's lock: every message is handled
     * once, each sender's in order, whether the taker or the owner handled it, and the counts add up.
     */
    @Test
    void perSenderOrderHoldsBetweenTakerAndOwner() throws Exception {
        int senders = 4;
        int perSender = 50_000;
        try (Weft weft = Weft.start()) {
            Ordered owner = new Ordered(senders * perSender);
            weft.spawn(owner);
            double sentBefore = counter(weft, "weft.messages.sent");
            Thread[] threads = new Thread[senders];
            for (int s = 0; s < senders; s++) {
                int sender = s;
                threads[s] = Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < perSender; i++) {
                            int m = sender * perSender + i;
                            if (i % 3 == 0) {
                                while (!owner.inbox.trySend(m)) {
                                    Thread.yield();
                                }
                            } else {
                                owner.inbox.send(m);
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            try (Watchdog watchdog = new Watchdog(WAIT)) {
                owner.progress = watchdog.progress();
                watchdog.await(owner.done);
            }
            for (Thread t : threads) {
                t.join();
            }

            owner.lock.lock();
            try {
                assertThat(owner.outOfOrder).as("messages out of per-sender order").isEmpty();
                assertThat(owner.handled).isEqualTo((long) senders * perSender);
                assertThat(owner.inline + owner.queued).isEqualTo((long) senders * perSender);
                assertThat(owner.inline).as("handled by the taker").isPositive();
            } finally {
                owner.lock.unlock();
            }
            assertThat(receivedOf(weft, "ordered")).isEqualTo((long) senders * perSender);
            assertThat(counter(weft, "weft.messages.sent") - sentBefore).isEqualTo((double) senders * perSender);
        }
    }

    /** Handles numbered messages (sender * perSender + sequence) under one lock, from the taker or its own poll. */
    static final class Ordered extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 16);
        final ReentrantLock lock = new ReentrantLock();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<String> outOfOrder = new ArrayList<>();
        private final int[] next = new int[4];
        private final int total;
        volatile AtomicLong progress = new AtomicLong();
        long handled;
        long inline;
        long queued;

        Ordered(int total) {
            super("ordered");
            this.total = total;
            inbox.takeInline(m -> {
                if (!lock.tryLock()) {
                    return false;
                }
                try {
                    if (!inbox.isEmpty()) {
                        return false;
                    }
                    inline++;
                    handle(m);
                    return true;
                } finally {
                    lock.unlock();
                }
            });
        }

        /** Under the lock. */
        private void handle(int m) {
            int sender = m / (total / next.length);
            int sequence = m % (total / next.length);
            if (sequence != next[sender] && outOfOrder.size() < 10) {
                outOfOrder.add("sender " + sender + ": got " + sequence + ", expected " + next[sender]);
            }
            next[sender] = sequence + 1;
            progress.incrementAndGet();
            if (++handled == total) {
                done.complete(null);
            }
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == control) {
                    return;
                }
                lock.lock();
                try {
                    for (Integer m; (m = inbox.poll()) != null; ) {
                        queued++;
                        handle(m);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private static double counter(Weft weft, String name) {
        return weft.meterRegistry().get(name).functionCounter().count();
    }

    private static long receivedOf(Weft weft, String component) {
        return weft.snapshot().component(component).orElseThrow().inboxes().stream()
                .filter(b -> b.name().equals("inbox")).mapToLong(dev.weft.runtime.inspect.InboxInfo::received).sum();
    }
}
