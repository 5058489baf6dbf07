package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a holder of an inbox that is not its owner may learn about the owner, without getting it. */
class InboxOwnerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Ends when it receives its first message. */
    static final class EndsOnFirst extends Component {
        final Inbox<String> inbox = inbox(String.class);

        EndsOnFirst() {
            super("ends-on-first");
        }

        @Override
        protected void run() throws InterruptedException {
            inbox.receive();
        }
    }

    @Test
    void onCloseRunsOnceAfterTheOwnerEndedWithTheInboxClosed() throws Exception {
        try (Weft weft = Weft.start()) {
            EndsOnFirst owner = weft.spawn(new EndsOnFirst());
            BlockingQueue<Boolean> closedWhenRun = new ArrayBlockingQueue<>(4);
            AtomicInteger runs = new AtomicInteger();
            owner.inbox.onClose(() -> {
                runs.incrementAndGet();
                closedWhenRun.add(owner.inbox.isClosed() && owner.state().isTerminal());
            });
            assertThat(runs).as("not run while the owner lives").hasValue(0);

            owner.inbox.send("end");
            owner.join(WAIT);

            assertThat(closedWhenRun.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void onCloseAfterTheEndRunsAtOnceOnTheCallingThread() throws Exception {
        try (Weft weft = Weft.start()) {
            EndsOnFirst owner = weft.spawn(new EndsOnFirst());
            owner.inbox.send("end");
            owner.join(WAIT);
            Thread caller = Thread.currentThread();
            Thread[] ranOn = new Thread[1];

            owner.inbox.onClose(() -> ranOn[0] = Thread.currentThread());

            assertThat(ranOn[0]).isSameAs(caller);
            assertThatThrownBy(() -> owner.inbox.onClose(null)).isInstanceOf(NullPointerException.class);
        }
    }

    /** An actor that ends on its first message. */
    static final class FinishesOnFirst extends Actor<String> {
        FinishesOnFirst() {
            super("finishes-on-first", String.class);
        }

        @Override
        protected void onMessage(String message) {
            finish();
        }
    }

    @Test
    void aThrowingOnCloseCallbackKeepsTheEndFromNobody() throws Exception {
        try (Weft weft = Weft.start()) {
            EndsOnFirst component = weft.spawn(new EndsOnFirst());
            FinishesOnFirst actor = weft.spawn(new FinishesOnFirst());
            for (Inbox<String> box : java.util.List.of(component.inbox, actor.inbox)) {
                box.onClose(() -> {
                    throw new IllegalStateException("a misbehaving callback");
                });
            }

            var componentEnded = component.termination();     // watchers that come after the callback
            var actorEnded = actor.termination();

            component.inbox.send("end");
            actor.inbox.send("end");

            assertThat(componentEnded.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).state()).isEqualTo(ComponentState.FINISHED);
            assertThat(actorEnded.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).state()).isEqualTo(ComponentState.FINISHED);
        }
    }

    @Test
    void ownerNameNamesTheOwningComponent() {
        EndsOnFirst owner = new EndsOnFirst();

        assertThat(owner.inbox.ownerName()).isEqualTo("ends-on-first");
        assertThat(owner.control.ownerName()).isEqualTo("ends-on-first");
    }
}
