package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Inbox pass-throughs that are set, or moved, while messages are on their way. */
class PassThroughTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int STREAM_ROUNDS = 200;
    private static final int STREAM_LENGTH = 200;

    /** Tells a test component to take its next step. */
    record Go() implements Signal {
    }

    /**
     * Records what arrives in its inbox, or, if it does not take, holds its inbox full until shut
     * down; one made {@link #afterGo} holds it full until a signal, then records.
     */
    static final class Recorder extends Component {
        final Inbox<Integer> inbox;
        final BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        private final boolean takes;
        private boolean waitsForGo;

        Recorder(String name, int capacity, boolean takes) {
            super(name);
            this.inbox = inbox("inbox", Integer.class, capacity);
            this.takes = takes;
        }

        static Recorder afterGo(String name, int capacity) {
            Recorder r = new Recorder(name, capacity, true);
            r.waitsForGo = true;
            return r;
        }

        @Override
        protected void run() throws InterruptedException {
            if (!takes || waitsForGo) {
                control.receive();
            }
            if (!takes) {
                return;
            }
            for (;;) {
                got.put(inbox.receive());
            }
        }

        List<Integer> take(int n) throws InterruptedException {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Integer m = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (m == null) {
                    throw new AssertionError("only " + out + " arrived in " + name() + ", expected " + n);
                }
                out.add(m);
            }
            return out;
        }
    }

    /** Takes nothing from its own inbox; on Go it passes that inbox through to {@code inner}. */
    static final class Shell extends Component {
        final Inbox<Integer> inbox;
        final Recorder inner;

        Shell(int capacity, Recorder inner) {
            super("shell");
            this.inbox = inbox("inbox", Integer.class, capacity);
            this.inner = inner;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(inner);
            control.receive();
            inbox.passThrough(inner.inbox);
            control.receive();
        }
    }

    /**
     * Its inbox passes through to {@code first}, which holds its inbox full; on Go it moves the
     * pass-through to {@code second} and shuts {@code first} down (what a carousel does).
     */
    static final class Switcher extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, 2);
        final Recorder first = new Recorder("first", 2, false);
        final Recorder second = new Recorder("second", 2, true);

        Switcher() {
            inbox.passThrough(first.inbox);
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(first);
            spawn(second);
            control.receive();
            inbox.passThrough(second.inbox);
            first.shutdown();
            control.receive();
        }
    }

    private static Thread sendInBackground(Inbox<Integer> to, int message, CompletableFuture<Void> sent) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                to.send(message);
                sent.complete(null);
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        });
    }

    private static void awaitParked(Thread sender) {
        Probes.awaitCondition(() -> sender.getState() == Thread.State.WAITING, sender + " to park on a full inbox");
    }

    @Test
    void messagesQueuedBeforeAPassThroughIsSetReachTheInnerInboxInOrder() throws Exception {
        try (Weft weft = Weft.start()) {
            Shell shell = weft.spawn(new Shell(8, new Recorder("inner", 2, true)));
            for (int i = 1; i <= 5; i++) {
                shell.inbox.send(i);
            }

            shell.control.send(new Go());
            for (int i = 6; i <= 8; i++) {
                shell.inbox.send(i);
            }

            assertThat(shell.inner.take(8)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void aSenderParkedOnTheOuterInboxIsWokenAndDeliversToTheInnerOne() throws Exception {
        try (Weft weft = Weft.start()) {
            Shell shell = weft.spawn(new Shell(2, new Recorder("inner", 2, true)));
            shell.inbox.send(1);
            shell.inbox.send(2);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread sender = sendInBackground(shell.inbox, 3, sent);
            awaitParked(sender);

            shell.control.send(new Go());

            sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            shell.inbox.send(4);
            assertThat(shell.inner.take(4)).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void aPassThroughSetWhileOneSenderStreamsKeepsEveryMessageOnceAndInOrder() throws Exception {
        try (Weft weft = Weft.start()) {
            for (int round = 0; round < STREAM_ROUNDS; round++) {
                Shell shell = weft.spawn(new Shell(4, new Recorder("inner", 4, true)));
                CompletableFuture<Void> streamed = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < STREAM_LENGTH; i++) {
                            shell.inbox.send(i);
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                shell.control.send(new Go());
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < STREAM_LENGTH; i++) {
                    expected.add(i);
                }

                assertThat(shell.inner.take(STREAM_LENGTH)).as("round %d", round).isEqualTo(expected);
                streamed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                shell.stop();
                shell.inner.stop();
                shell.join(WAIT);
            }
        }
    }

    @Test
    void aSenderThatMustNotParkIsCalledBackWhenTheHandOnOfTheOuterInboxEnds() throws Exception {
        try (Weft weft = Weft.start()) {
            Shell shell = weft.spawn(new Shell(2, Recorder.afterGo("inner", 2)));
            shell.inner.inbox.send(1);
            shell.inner.inbox.send(2);          // the inner inbox is full: the hand-on of 3 and 4 waits
            shell.inbox.send(3);
            shell.inbox.send(4);
            shell.control.send(new Go());
            Probes.awaitCondition(shell.inbox::isForwarding, "the shell to pass its inbox through");

            assertThat(shell.inbox.trySend(5)).as("refused while 3 and 4 are handed on").isFalse();
            CountDownLatch space = new CountDownLatch(1);
            shell.inbox.onSpace(space::countDown);
            assertThat(shell.inbox.trySend(5)).as("refused after the callback is left").isFalse();
            assertThat(space.getCount()).as("nothing has moved yet").isOne();

            shell.inner.control.send(new Go());

            assertThat(space.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the callback ran once the hand-on published the pass-through").isTrue();
            shell.inbox.send(5);
            assertThat(shell.inner.take(5)).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void aSenderParkedOnAnInnerInboxThatIsReplacedDeliversToTheNewOneInsteadOfFailing() throws Exception {
        try (Weft weft = Weft.start()) {
            Switcher switcher = weft.spawn(new Switcher());
            switcher.inbox.send(1);
            switcher.inbox.send(2);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread sender = sendInBackground(switcher.inbox, 3, sent);
            awaitParked(sender);

            switcher.control.send(new Go());

            sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            switcher.inbox.send(4);
            assertThat(switcher.second.take(2)).containsExactly(3, 4);
            assertThat(switcher.first.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void aSendToAnInboxWithNoPassThroughWhoseOwnerEndedIsStillRefused() throws Exception {
        try (Weft weft = Weft.start()) {
            Recorder held = weft.spawn(new Recorder("held", 2, false));
            held.inbox.send(1);
            held.inbox.send(2);
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread sender = sendInBackground(held.inbox, 3, sent);
            awaitParked(sender);

            held.shutdown();

            assertThatThrownBy(() -> sent.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(InboxClosedException.class);
        }
    }

    @Test
    void aPassThroughCanOnlyBeSetBeforeSpawnOrByTheOwnersOwnBody() throws Exception {
        try (Weft weft = Weft.start()) {
            Recorder inner = weft.spawn(new Recorder("inner", 2, true));
            Shell shell = weft.spawn(new Shell(2, new Recorder("unused", 2, true)));

            assertThatThrownBy(() -> shell.inbox.passThrough(inner.inbox))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shell.inbox")
                    .hasMessageContaining("before")
                    .hasMessageContaining("own body");
        }
    }
}
