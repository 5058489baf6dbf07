package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mistakes get a clear error at once, naming what was wrong: never a hang, never a silent loss. */
class MisuseTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    record Go() implements Signal {
    }

    /** Has an Integer inbox and outbox and runs a test's code as its body. */
    static final class Numbers extends Component {
        final Inbox<Integer> inbox = inbox("numbers", Integer.class, 2);
        final Outbox<Integer> outbox = outbox("out", Integer.class, UnlinkedPolicy.WAIT);
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        private final Body body;

        interface Body {
            void run(Numbers self) throws Exception;
        }

        Numbers(Body body) {
            super("numbers-owner");
            this.body = body;
        }

        @Override
        protected void run() {
            try {
                body.run(this);
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        }

        Throwable awaitThrown() throws Exception {
            return thrown.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Counts the Terminated it gets until Go arrives. */
    static final class Watcher extends Component {
        final Component watched;
        final boolean spawnIt;
        final CompletableFuture<Integer> terminatedSeen = new CompletableFuture<>();
        final CompletableFuture<Void> watching = new CompletableFuture<>();

        Watcher(Component watched, boolean spawnIt) {
            this.watched = watched;
            this.spawnIt = spawnIt;
        }

        @Override
        protected void run() throws InterruptedException {
            if (spawnIt) {
                spawn(watched);
            }
            watch(watched);
            watch(watched);
            watching.complete(null);
            int seen = 0;
            for (Signal s = control.receive(); !(s instanceof Go); s = control.receive()) {
                if (s instanceof Terminated t && t.component() == watched) {
                    seen++;
                }
            }
            terminatedSeen.complete(seen);
        }
    }

    // ---------------------------------------------------------------- null

    @Test
    @Timeout(10)
    void sendingNullThroughAnUnlinkedWaitingOutboxFailsAtOnceNamingTheBox() {
        Numbers numbers = new Numbers(self -> { });

        assertThatThrownBy(() -> numbers.outbox.send(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("outbox 'out' of numbers-owner");
        assertThatThrownBy(() -> numbers.outbox.send(null, WAIT))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("outbox 'out' of numbers-owner");
        assertThatThrownBy(() -> numbers.outbox.trySend(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("outbox 'out' of numbers-owner");
    }

    @Test
    void sendingNullToAnInboxFailsNamingTheBox() {
        Numbers numbers = new Numbers(self -> { });

        assertThatThrownBy(() -> numbers.inbox.trySend(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("inbox 'numbers' of numbers-owner");
    }

    // ---------------------------------------------------------------- wrong type

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aRawTypedSendOfTheWrongTypeIsRefusedAtTheSender() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers numbers = weft.spawn(new Numbers(self -> self.inbox.receive()));
            Inbox raw = numbers.inbox;

            assertThatThrownBy(() -> raw.send("x"))
                    .isInstanceOf(ClassCastException.class)
                    .hasMessageContaining("inbox 'numbers' of numbers-owner")
                    .hasMessageContaining("java.lang.Integer")
                    .hasMessageContaining("java.lang.String");
            assertThat(numbers.inbox.isEmpty()).as("nothing was accepted").isTrue();
            numbers.inbox.send(1);
            assertThat(numbers.awaitThrown()).as("the receiver never saw the wrong message").isNull();
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aRawTypedSendThroughAnOutboxOfTheWrongTypeIsRefusedAtTheSender() throws Exception {
        Numbers receiver = new Numbers(self -> { });
        Numbers sender = new Numbers(self -> { });
        sender.outbox.linkTo(receiver.inbox);
        Outbox raw = sender.outbox;

        assertThatThrownBy(() -> raw.trySend(2.5))
                .isInstanceOf(ClassCastException.class)
                .hasMessageContaining("inbox 'numbers' of numbers-owner")
                .hasMessageContaining("java.lang.Double");
        assertThat(receiver.inbox.isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------- join

    @Test
    @Timeout(10)
    void joiningAComponentThatWasNeverSpawnedFailsAtOnce() {
        Numbers never = new Numbers(self -> { });

        assertThatThrownBy(never::join)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("numbers-owner")
                .hasMessageContaining("not spawned")
                .hasMessageContaining("termination()");
        assertThatThrownBy(() -> never.join(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not spawned");
    }

    @Test
    void aComponentJoiningItselfFailsAtOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers selfish = weft.spawn(new Numbers(Component::join));

            assertThat(selfish.awaitThrown())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("numbers-owner")
                    .hasMessageContaining("joined itself");
        }
    }

    // ---------------------------------------------------------------- own full inbox

    @Test
    void aBlockingSendIntoItsOwnFullInboxFailsAtOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            CompletableFuture<Integer> heldAfter = new CompletableFuture<>();
            Numbers numbers = weft.spawn(new Numbers(self -> {
                self.inbox.send(1);
                self.inbox.send(2);
                try {
                    self.inbox.send(3);
                } finally {
                    heldAfter.complete(self.inbox.size());
                }
            }));

            assertThat(numbers.awaitThrown())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("numbers-owner ")
                    .hasMessageContaining("its own full inbox 'numbers'");
            assertThat(heldAfter.get()).as("the refused message was not accepted").isEqualTo(2);
        }
    }

    @Test
    void aTimedSendThroughAnOutboxIntoItsOwnFullInboxFailsAtOnce() throws Exception {
        try (Weft weft = Weft.start()) {
            Numbers numbers = new Numbers(self -> {
                self.outbox.send(1);
                self.outbox.send(2);
                self.outbox.send(3, Duration.ofHours(1));
            });
            numbers.outbox.linkTo(numbers.inbox);
            weft.spawn(numbers);

            assertThat(numbers.awaitThrown())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("its own full inbox");
        }
    }

    @Test
    void anActorSendingIntoItsOwnFullInboxFailsInsteadOfHanging() throws Exception {
        try (Weft weft = Weft.start()) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Actor<Integer> actor = new Actor<>("echo-self", Integer.class, 2) {
                @Override
                protected void onMessage(Integer n) {
                    try {
                        inbox.send(n);
                        inbox.send(n);
                        inbox.send(n);
                        thrown.complete(null);
                    } catch (Throwable t) {
                        thrown.complete(t);
                    }
                }
            };
            weft.spawn(actor);

            actor.inbox.send(1);

            assertThat(thrown.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("its own full inbox");
        }
    }

    // ---------------------------------------------------------------- watch twice

    @Test
    void watchingTwiceDeliversOneTerminated() throws Exception {
        try (Weft weft = Weft.start()) {
            Bridge<String> watched = weft.spawn(new Bridge<>("watched", String.class, () -> { }));
            Watcher watcher = weft.spawn(new Watcher(watched, false));
            watcher.watching.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            watched.close();
            watcher.control.send(new Go());

            assertThat(watcher.terminatedSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void aSpawnerThatAlsoWatchesItsChildGetsOneTerminated() throws Exception {
        try (Weft weft = Weft.start()) {
            Bridge<String> child = new Bridge<>("child", String.class, () -> { });
            Watcher parent = weft.spawn(new Watcher(child, true));
            parent.watching.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            child.close();
            parent.control.send(new Go());

            assertThat(parent.terminatedSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- capacity

    @Test
    void aDeclaredCapacityIsRoundedUpToAPowerOfTwoOfAtLeastTwoAndHoldsExactlyThat() {
        int[][] declaredAndHeld = {{1, 2}, {2, 2}, {3, 4}, {64, 64}, {100, 128}};
        for (int[] pair : declaredAndHeld) {
            Component owner = new Component() {
                final Inbox<Integer> box = inbox("box", Integer.class, pair[0]);

                @Override
                protected void run() {
                }
            };
            Inbox<?> box = owner.findInbox("box");
            @SuppressWarnings("unchecked")
            Inbox<Integer> ints = (Inbox<Integer>) box;

            assertThat(ints.capacity()).as("declared %d", pair[0]).isEqualTo(pair[1]);
            for (int i = 0; i < pair[1]; i++) {
                assertThat(ints.trySend(i)).as("declared %d, message %d", pair[0], i).isTrue();
            }
            assertThat(ints.trySend(-1)).as("declared %d holds no more than %d", pair[0], pair[1]).isFalse();
        }
    }
}
