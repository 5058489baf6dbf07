package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LinksTest {

    /** Sends whatever the test hands it through its outbox, reporting each send's outcome. */
    static final class Source extends Component {
        final Outbox<Number> outbox;
        final BlockingQueue<Number> toSend = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();

        Source(UnlinkedPolicy policy) {
            outbox = outbox("outbox", Number.class, policy);
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Number n = toSend.take();
                try {
                    outbox.send(n);
                    outcomes.put("sent " + n);
                } catch (WeftException e) {
                    outcomes.put(e);
                }
            }
        }
    }

    static final class Sink extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class);
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        Sink(String name) {
            super(name);
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                seen.put(inbox.receive());
            }
        }
    }

    /** A composite whose inbox passes through to an inner sink and whose inner source passes out. */
    static final class Wrapper extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class);
        final Outbox<Number> outbox = outbox("outbox", Number.class);
        final Sink inner = new Sink("inner");
        final Source innerSource = new Source(UnlinkedPolicy.FAIL);
        final CompletableFuture<Void> wired = new CompletableFuture<>();

        @Override
        protected void run() throws InterruptedException {
            inbox.passThrough(inner.inbox);
            innerSource.outbox.passThrough(outbox);
            spawn(inner);
            spawn(innerSource);
            wired.complete(null);
            control.receive();
        }
    }

    @Test
    void anUnlinkedOutboxFailsClearlyByDefault() throws Exception {
        try (Weft weft = Weft.start()) {
            Source source = weft.spawn(new Source(UnlinkedPolicy.FAIL));

            source.toSend.put(1);

            assertThat(source.outcomes.poll(10, TimeUnit.SECONDS))
                    .isInstanceOf(NotLinkedException.class)
                    .asString().contains("outbox 'outbox'").contains("not linked");
        }
    }

    @Test
    void anUnlinkedOutboxUnderDiscardDropsAndCounts() throws Exception {
        try (Weft weft = Weft.start()) {
            Source source = weft.spawn(new Source(UnlinkedPolicy.DISCARD));

            source.toSend.put(1);

            assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("sent 1");
            assertThat(weft.meterRegistry().get("weft.messages.discarded").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void anUnlinkedOutboxUnderWaitParksUntilLinkedAndLosesNothing() throws Exception {
        try (Weft weft = Weft.start()) {
            Source source = weft.spawn(new Source(UnlinkedPolicy.WAIT));
            Sink sink = weft.spawn(new Sink("sink"));
            source.toSend.put(1);
            Probes.awaitCondition(source.toSend::isEmpty, "the source to start sending");
            assertThat(source.outcomes.poll(200, TimeUnit.MILLISECONDS)).as("still waiting for a link").isNull();

            weft.link(source.outbox, sink.inbox);

            assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("sent 1");
            assertThat(sink.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void relinkingMidStreamDeliversEveryMessageToExactlyOneSink() throws Exception {
        try (Weft weft = Weft.start()) {
            Source source = weft.spawn(new Source(UnlinkedPolicy.FAIL));
            Sink first = weft.spawn(new Sink("first"));
            Sink second = weft.spawn(new Sink("second"));
            weft.link(source.outbox, first.inbox);

            for (int i = 0; i < 100; i++) {
                source.toSend.put(i);
                if (i == 49) {
                    for (int j = 0; j <= 49; j++) {
                        assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("sent " + j);
                    }
                    weft.link(source.outbox, second.inbox);
                }
            }
            for (int j = 50; j < 100; j++) {
                assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("sent " + j);
            }

            for (int i = 0; i < 50; i++) {
                assertThat(first.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            for (int i = 50; i < 100; i++) {
                assertThat(second.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            assertThat(first.seen).isEmpty();
        }
    }

    @Test
    void unlinkMakesTheNextSendFail() throws Exception {
        try (Weft weft = Weft.start()) {
            Source source = weft.spawn(new Source(UnlinkedPolicy.FAIL));
            Sink sink = weft.spawn(new Sink("sink"));
            weft.link(source.outbox, sink.inbox);
            source.toSend.put(1);
            assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("sent 1");

            weft.unlink(source.outbox);
            source.toSend.put(2);

            assertThat(source.outbox.isLinked()).isFalse();
            assertThat(source.outcomes.poll(10, TimeUnit.SECONDS)).isInstanceOf(NotLinkedException.class);
        }
    }

    @Test
    void linkingToAnInboxOfAnotherTypeIsRejected() throws Exception {
        final class Strings extends Component {
            final Inbox<String> inbox = inbox(String.class);

            @Override
            protected void run() {
            }
        }
        Source source = new Source(UnlinkedPolicy.FAIL);
        Strings strings = new Strings();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Outbox<String> raw = (Outbox) source.outbox;

        assertThatThrownBy(() -> raw.linkTo(strings.inbox))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not take");
    }

    @Test
    void passThroughsDeliverStraightToTheInnerInboxAndOutOfTheOuterOutbox() throws Exception {
        try (Weft weft = Weft.start()) {
            Source outside = weft.spawn(new Source(UnlinkedPolicy.FAIL));
            Sink collector = weft.spawn(new Sink("collector"));
            Wrapper wrapper = new Wrapper();
            weft.link(outside.outbox, wrapper.inbox);
            weft.link(wrapper.outbox, collector.inbox);
            weft.spawn(wrapper);
            wrapper.wired.get(10, TimeUnit.SECONDS);

            outside.toSend.put(7);
            wrapper.innerSource.toSend.put(8);

            assertThat(wrapper.inner.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(collector.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(8);
            assertThat(wrapper.innerSource.outbox.target()).isSameAs(collector.inbox);
            wrapper.inbox.send("direct");
            assertThat(wrapper.inner.seen.poll(10, TimeUnit.SECONDS)).isEqualTo("direct");
        }
    }

    @Test
    void relinkingTheOuterOutboxRetargetsTheInnerOne() throws Exception {
        try (Weft weft = Weft.start()) {
            Sink first = weft.spawn(new Sink("first"));
            Sink second = weft.spawn(new Sink("second"));
            Wrapper wrapper = new Wrapper();
            weft.link(wrapper.outbox, first.inbox);
            weft.spawn(wrapper);
            wrapper.wired.get(10, TimeUnit.SECONDS);

            weft.link(wrapper.outbox, second.inbox);
            wrapper.innerSource.toSend.put(1);

            assertThat(second.seen.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(first.seen.poll(100, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void aPassThroughInboxCannotBeReceivedFrom() throws Exception {
        try (Weft weft = Weft.start()) {
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Sink inner = weft.spawn(new Sink("inner"));
            weft.spawn(new Component() {
                final Inbox<Object> inbox = inbox("inbox", Object.class);

                @Override
                protected void run() {
                    inbox.passThrough(inner.inbox);
                    try {
                        inbox.poll();
                        failure.complete(null);
                    } catch (IllegalStateException e) {
                        failure.complete(e);
                    }
                }
            });

            assertThat(failure.get(10, TimeUnit.SECONDS)).hasMessageContaining("passes through");
        }
    }

    @Test
    void aTimedSendOnAnUnlinkedWaitingOutboxGivesUp() throws Exception {
        Source source = new Source(UnlinkedPolicy.WAIT);

        assertThatThrownBy(() -> source.outbox.send(1, Duration.ofMillis(50)))
                .isInstanceOf(SendTimeoutException.class)
                .hasMessageContaining("stayed unlinked");
    }
}
