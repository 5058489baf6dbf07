package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.inspect.BoxRef;
import dev.weft.runtime.inspect.ComponentInfo;
import dev.weft.runtime.inspect.GraphEvent;
import dev.weft.runtime.inspect.GraphSnapshot;
import dev.weft.runtime.inspect.InboxInfo;
import dev.weft.runtime.inspect.Inspectable;
import dev.weft.runtime.inspect.LinkInfo;
import dev.weft.runtime.inspect.LinkKind;
import dev.weft.runtime.inspect.OutboxInfo;
import dev.weft.runtime.inspect.ServiceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GraphSnapshotTest {

    /** Receives only when the test says so, so that its inbox depth is under the test's control. */
    static final class Sink extends Component {
        final Inbox<String> inbox = inbox("inbox", String.class, 16);
        final BlockingQueue<Integer> takeNow = new LinkedBlockingQueue<>();

        Sink(String name) {
            super(name);
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                int n = takeNow.take();
                for (int i = 0; i < n; i++) {
                    inbox.receive();
                }
            }
        }
    }

    static final class Source extends Component {
        final Outbox<String> outbox = outbox("outbox", String.class);

        Source(String name) {
            super(name);
        }

        @Override
        protected void run() throws InterruptedException {
            control.receive();
        }
    }

    /** Spawns an inner sink and passes its own inbox through to it; reports itself as Inspectable. */
    static final class Parent extends Component implements Inspectable {
        final Inbox<String> inbox = inbox("in", String.class);
        final Sink inner = new Sink("inner");
        final CountDownLatch wired = new CountDownLatch(1);

        Parent() {
            super("parent");
        }

        @Override
        protected void run() throws InterruptedException {
            inbox.passThrough(inner.inbox);
            spawn(inner);
            wired.countDown();
            control.receive();
        }

        @Override
        public Map<String, Object> details() {
            return Map.of("children", 1);
        }

        @Override
        public List<Inbox<?>> deliversTo() {
            return List.of(inner.control);
        }
    }

    @Test
    void snapshotListsLiveComponentsWithTypesStatesParentsAndBoxes() throws Exception {
        try (Weft weft = Weft.start()) {
            Parent parent = weft.spawn(new Parent());
            parent.wired.await();

            GraphSnapshot snap = weft.snapshot();

            ComponentInfo p = snap.component("parent").orElseThrow();
            ComponentInfo inner = snap.component("inner").orElseThrow();
            assertThat(p.type()).isEqualTo(Parent.class.getName());
            assertThat(p.parent()).as("spawned by the runtime").isNull();
            assertThat(inner.parent()).as("inner's parent is the composite").isEqualTo(p.id());
            assertThat(inner.state()).isEqualTo(ComponentState.RUNNING);
            assertThat(inner.inboxes()).extracting(InboxInfo::name).containsExactly("control", "inbox");
            InboxInfo box = inner.inboxes().get(1);
            assertThat(box.messageType()).isEqualTo(String.class.getName());
            assertThat(box.capacity()).isEqualTo(16);
            assertThat(inner.inboxes().get(0).capacity()).as("control is unbounded").isEqualTo(-1);
            assertThat(inner.outboxes()).extracting(OutboxInfo::name).containsExactly("signal");
        }
    }

    @Test
    void snapshotShowsLinksPassThroughsAndResolvedTargets() throws Exception {
        try (Weft weft = Weft.start()) {
            Parent parent = weft.spawn(new Parent());
            parent.wired.await();
            Source source = new Source("source");
            weft.link(source.outbox, parent.inbox);
            weft.spawn(source);

            GraphSnapshot snap = weft.snapshot();

            long s = snap.component("source").orElseThrow().id();
            long p = snap.component("parent").orElseThrow().id();
            long i = snap.component("inner").orElseThrow().id();
            assertThat(snap.links()).contains(
                    new LinkInfo(LinkKind.LINK, new BoxRef(s, "outbox"), new BoxRef(p, "in")),
                    new LinkInfo(LinkKind.INBOX_PASS_THROUGH, new BoxRef(p, "in"), new BoxRef(i, "inbox")),
                    new LinkInfo(LinkKind.DELIVERY, new BoxRef(p, "*"), new BoxRef(i, "control")));
            OutboxInfo out = snap.component("source").orElseThrow().outboxes().get(1);
            assertThat(out.target()).as("the pass-through is resolved").isEqualTo(new BoxRef(i, "inbox"));
            assertThat(snap.component("parent").orElseThrow().details()).containsEntry("children", 1);
            assertThat(snap.component("parent").orElseThrow().inboxes().get(1).passesThroughTo())
                    .isEqualTo(new BoxRef(i, "inbox"));
        }
    }

    @Test
    void snapshotShowsInboxDepthAndReceivedCount() throws Exception {
        try (Weft weft = Weft.start()) {
            Sink sink = weft.spawn(new Sink("sink"));
            for (int n = 0; n < 5; n++) {
                sink.inbox.send("m" + n);
            }
            sink.takeNow.put(2);
            Probes.awaitCondition(() -> sink.inbox.size() == 3, "the sink to take two messages");

            InboxInfo box = weft.snapshot().component("sink").orElseThrow().inboxes().get(1);

            assertThat(box.depth()).isEqualTo(3);
            assertThat(box.received()).isEqualTo(2);
        }
    }

    @Test
    void snapshotListsServicesAndForgetsEndedComponents() throws Exception {
        try (Weft weft = Weft.start()) {
            Sink sink = weft.spawn(new Sink("provider"));
            ServiceKey<String> key = ServiceKey.of("test.names", String.class);
            weft.services().register(key, sink.inbox);
            long id = weft.snapshot().component("provider").orElseThrow().id();

            assertThat(weft.snapshot().services())
                    .containsExactly(new ServiceInfo("test.names", String.class.getName(), new BoxRef(id, "inbox")));

            sink.stop();
            sink.join();
            GraphSnapshot after = weft.snapshot();
            assertThat(after.component("provider")).as("an ended component is not listed").isEmpty();
            assertThat(after.services()).isEmpty();
        }
    }

    @Test
    void listenersHearSpawnLinkAndEndInOrder() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<GraphEvent> events = new LinkedBlockingQueue<>();
            weft.addGraphListener(events::add);
            Sink sink = weft.spawn(new Sink("sink"));
            Source source = weft.spawn(new Source("source"));
            weft.link(source.outbox, sink.inbox);
            weft.unlink(source.outbox);
            source.shutdown();
            source.join();

            List<GraphEvent> seen = new ArrayList<>();
            for (int n = 0; n < 5; n++) {
                GraphEvent e = events.poll(10, TimeUnit.SECONDS);
                assertThat(e).as("event %d of 5", n + 1).isNotNull();
                seen.add(e);
            }
            long s = sink.id();
            long o = source.id();
            assertThat(seen).containsExactly(
                    new GraphEvent.Spawned(s, "sink", Sink.class.getName(), null),
                    new GraphEvent.Spawned(o, "source", Source.class.getName(), null),
                    new GraphEvent.LinkChanged(LinkKind.LINK, new BoxRef(o, "outbox"), new BoxRef(s, "inbox")),
                    new GraphEvent.LinkChanged(LinkKind.LINK, new BoxRef(o, "outbox"), null),
                    new GraphEvent.Ended(o, "source", ComponentState.FINISHED));
        }
    }

    @Test
    void aThrowingListenerDoesNotStopSpawnsOrOtherListeners() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<GraphEvent> events = new LinkedBlockingQueue<>();
            weft.addGraphListener(e -> {
                throw new IllegalStateException("listener bug");
            });
            weft.addGraphListener(events::add);

            Sink sink = weft.spawn(new Sink("sink"));

            assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOf(GraphEvent.Spawned.class);
            assertThat(sink.state()).isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void aRemovedListenerHearsNothingMore() throws Exception {
        try (Weft weft = Weft.start()) {
            BlockingQueue<GraphEvent> removed = new LinkedBlockingQueue<>();
            BlockingQueue<GraphEvent> kept = new LinkedBlockingQueue<>();
            dev.weft.runtime.inspect.GraphListener goingAway = removed::add;
            weft.addGraphListener(goingAway);
            weft.addGraphListener(kept::add);
            weft.spawn(new Sink("first"));

            weft.removeGraphListener(goingAway);
            weft.spawn(new Sink("second"));

            assertThat(kept.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(kept.poll(10, TimeUnit.SECONDS)).as("the kept listener hears the second spawn").isNotNull();
            assertThat(removed).as("only the spawn before removal").hasSize(1);
        }
    }
}
