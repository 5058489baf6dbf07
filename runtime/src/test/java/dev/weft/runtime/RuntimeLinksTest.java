package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.inspect.GraphEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Links belong to one runtime: each has its own lock, and its listeners hear of changes outside it. */
class RuntimeLinksTest {

    /** Its outbox is driven by the test thread; the body only waits to be shut down. */
    static final class Producer extends Component {
        final Outbox<String> outbox = outbox("outbox", String.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    static final class Consumer extends Component {
        final Inbox<String> inbox = inbox("inbox", String.class);
        final Outbox<String> outbox = outbox("outbox", String.class);

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    /** A sink that is not an inbox, as a remote link would be: it records what the outbox drives through it. */
    static final class RecordingSink implements Sink<String> {
        final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

        @Override
        public void send(String message) {
            calls.add("send " + message);
        }

        @Override
        public void send(String message, Duration timeout) {
            calls.add("send " + message + " within " + (timeout.isNegative() ? "negative" : "time"));
        }

        @Override
        public boolean trySend(String message) {
            calls.add("trySend " + message);
            return message.length() < 3;
        }

        @Override
        public <R> R ask(Function<? super ReplyTo<R>, ? extends String> request, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Class<String> type() {
            return String.class;
        }
    }

    @Test
    void aLinkBetweenTwoRuntimesIsRefusedAndChangesNothing() throws Exception {
        try (Weft one = Weft.start(); Weft two = Weft.start()) {
            Producer producer = one.spawn(new Producer());
            Consumer consumer = two.spawn(new Consumer());

            assertThatThrownBy(() -> producer.outbox.linkTo(consumer.inbox))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another runtime")
                    .hasMessageContaining("Sink that is not an inbox");
            assertThat(producer.outbox.isLinked()).isFalse();
        }
    }

    @Test
    void aComponentWiredBeforeSpawnCannotThenJoinTwoRuntimes() throws Exception {
        try (Weft one = Weft.start(); Weft two = Weft.start()) {
            Producer producer = new Producer();
            Consumer consumer = new Consumer();
            producer.outbox.linkTo(consumer.inbox);   // both unspawned: allowed
            two.spawn(consumer);
            one.spawn(producer);

            assertThatThrownBy(() -> producer.outbox.linkTo(consumer.inbox))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another runtime");
        }
    }

    @Test
    void anOutboxDrivesASinkThatIsNotAnInboxThroughItsPublicMethods() throws Exception {
        try (Weft weft = Weft.start()) {
            Producer producer = weft.spawn(new Producer());
            RecordingSink remote = new RecordingSink();
            weft.link(producer.outbox, remote);

            producer.outbox.send("a");
            producer.outbox.send("b", Duration.ofSeconds(5));
            boolean small = producer.outbox.trySend("c");
            boolean large = producer.outbox.trySend("long");

            assertThat(remote.calls).containsExactly("send a", "send b within time", "trySend c", "trySend long");
            assertThat(small).isTrue();
            assertThat(large).as("the sink's own answer").isFalse();
            assertThat(producer.outbox.target()).isSameAs(remote);
            assertThat(weft.snapshot().components()).isNotEmpty();
        }
    }

    @Test
    void aListenerMayLinkFromItsCallbackAndHearsThatChangeNext() throws Exception {
        try (Weft weft = Weft.start()) {
            Producer producer = weft.spawn(new Producer());
            Consumer first = weft.spawn(new Consumer());
            Consumer second = weft.spawn(new Consumer());
            List<GraphEvent> heard = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> relinked = new CompletableFuture<>();
            weft.addGraphListener(event -> {
                heard.add(event);
                if (event instanceof GraphEvent.LinkChanged c && c.to() != null
                        && c.to().component() == first.id() && !relinked.isDone()) {
                    first.outbox.linkTo(second.inbox);   // calls back into the runtime: must not deadlock
                    relinked.complete(null);
                }
            });

            CompletableFuture<Void> linking = CompletableFuture.runAsync(() -> producer.outbox.linkTo(first.inbox));

            linking.get(10, TimeUnit.SECONDS);
            relinked.get(10, TimeUnit.SECONDS);
            assertThat(heard).hasSize(2);
            assertThat(((GraphEvent.LinkChanged) heard.get(0)).from().component()).isEqualTo(producer.id());
            assertThat(((GraphEvent.LinkChanged) heard.get(1)).from().component()).isEqualTo(first.id());
            assertThat(first.outbox.target()).isSameAs(second.inbox);
        }
    }

    @Test
    void twoRuntimesLinkWithoutWaitingForEachOther() throws Exception {
        try (Weft one = Weft.start(); Weft two = Weft.start()) {
            Producer p1 = one.spawn(new Producer());
            Consumer c1 = one.spawn(new Consumer());
            Producer p2 = two.spawn(new Producer());
            Consumer c2 = two.spawn(new Consumer());
            CompletableFuture<Void> inside = new CompletableFuture<>();
            one.links().read(() -> {
                CompletableFuture<Void> other = CompletableFuture.runAsync(() -> p2.outbox.linkTo(c2.inbox));
                try {
                    other.get(10, TimeUnit.SECONDS);   // runtime one's lock is held here
                    inside.complete(null);
                } catch (Exception e) {
                    inside.completeExceptionally(e);
                }
                return null;
            });

            inside.get(10, TimeUnit.SECONDS);
            p1.outbox.linkTo(c1.inbox);
            assertThat(p2.outbox.target()).isSameAs(c2.inbox);
            assertThat(p1.outbox.target()).isSameAs(c1.inbox);
        }
    }
}
