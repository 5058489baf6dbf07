package dev.weft.examples;

import dev.weft.actors.flow.Stage;
import dev.weft.actors.net.Framing;
import dev.weft.actors.net.SocketAdapter;
import dev.weft.actors.net.TcpServer;
import dev.weft.cluster.Cluster;
import dev.weft.cluster.ClusterOptions;
import dev.weft.cluster.Codec;
import dev.weft.cluster.LinkBrokenException;
import dev.weft.cluster.RemoteAddress;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A chat room over TCP: every line a client sends goes to all the other clients, through a fan-out
 * component found in the service registry. A client is greeted with a welcome line once it has joined.
 * Bytes become lines and lines bytes at each connection's edge ({@link Framing#lines}); the room
 * speaks lines only.
 *
 * <p>With {@code --cluster <etcd endpoints>} the room spans runtimes: each runtime registers its
 * room's {@code peers} inbox in the cluster as {@code examples.chat.node.<name>}, and a line from a
 * local client also goes, over a remote link, to the room of every other runtime found under that
 * prefix (read again on each line: a demo, not a pattern for hot paths).
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "A TCP chat room on loopback: each line from one client goes to all the others.")
final class ChatExample implements Callable<Integer> {
    /** Longer lines end their connection. */
    static final int MAX_LINE = 4096;
    static final Framing<String> LINES = Framing.lines(MAX_LINE);

    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Option(names = "--port", defaultValue = "7008", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--cluster", paramLabel = "<etcd endpoints>",
            description = "Join the chat rooms of other runtimes through etcd (e.g. http://127.0.0.1:2379,http://...).")
    String cluster;

    @Option(names = "--name", description = "This runtime's name in the cluster (default: chat-<pid>).")
    String name;

    @Spec
    CommandSpec spec;

    static final String PEERS = "examples.chat.node.";

    /** A client in the room: its connection, and where the lines for it go. */
    record Member(SocketAdapter connection, Inbox<String> lines) {
    }

    /** What the room takes: members coming and going, and their lines. */
    sealed interface Event {
    }

    record Join(Member member) implements Event {
    }

    record Leave(Member member) implements Event {
    }

    record Line(Member from, String text) implements Event {
    }

    static final ServiceKey<Event> ROOM = ServiceKey.of("examples.chat.room", Event.class);

    /**
     * Sends each line to every member but its sender. A member whose inbox is full (a client that does
     * not read) is disconnected rather than allowed to stall the room.
     */
    static final class Room extends Component {
        final Inbox<Event> inbox = inbox(Event.class);
        /** Lines from the rooms of other runtimes (with {@code --cluster}). */
        final Inbox<String> peers = inbox("peers", String.class);
        private final List<Member> members = new ArrayList<>();
        private final Cluster cluster;
        private final Map<RemoteAddress, Sink<String>> links = new HashMap<>();

        Room() {
            this(null);
        }

        Room(Cluster cluster) {
            this.cluster = cluster;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, peers, control);
                if (ready == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                    continue;
                }
                if (ready == peers) {
                    fanOut(new Line(null, peers.poll()));
                    continue;
                }
                switch (inbox.poll()) {
                    case Join j -> welcome(j.member());
                    case Leave l -> members.remove(l.member());
                    case Line l -> {
                        fanOut(l);
                        toPeers(l.text());
                    }
                }
            }
        }

        /** Sends a local line to the room of every other runtime; a slow or gone peer misses it. */
        private void toPeers(String text) throws InterruptedException {
            if (cluster == null) {
                return;
            }
            List<RemoteAddress> now = cluster.locateAll(PEERS);
            links.keySet().retainAll(now);
            for (RemoteAddress peer : now) {
                if (peer.runtime().equals(cluster.runtime())) {
                    continue;
                }
                try {
                    Sink<String> link = links.get(peer);
                    if (link == null) {
                        link = cluster.connect(peer, Codec.strings());
                        links.put(peer, link);
                    }
                    if (!link.trySend("[" + cluster.runtime() + "] " + text)) {
                        System.getLogger(Room.class.getName()).log(System.Logger.Level.WARNING,
                                "the room of {0} is not keeping up; it misses a line", peer.runtime());
                    }
                } catch (LinkBrokenException gone) {
                    links.remove(peer);
                }
            }
        }

        /** Adds a member and tells it so: once a client reads the welcome, it gets every later line. */
        private void welcome(Member member) {
            members.add(member);
            tell(member, "* welcome: " + members.size() + " here");
        }

        private void fanOut(Line line) {
            for (Member member : List.copyOf(members)) {
                if (member != line.from()) {
                    tell(member, line.text());
                }
            }
        }

        private void tell(Member member, String text) {
            try {
                if (!member.lines().trySend(text)) {
                    System.getLogger(Room.class.getName()).log(System.Logger.Level.WARNING,
                            "{0} is not reading; disconnecting it", member.connection().channel());
                    members.remove(member);
                    member.connection().shutdown();
                }
            } catch (InboxClosedException gone) {
                members.remove(member);
            }
        }
    }

    /**
     * One client's stay in the room: its lines, cut by a decoder, go to the room, and the room's lines
     * for it go out through an encoder. Both stages are its children, so it also learns when a line too
     * long for the decoder has closed the connection.
     */
    static final class Session extends Component {
        final Inbox<String> inbox = inbox(String.class);
        private final Stage<byte[], String> decoder;
        private final Stage<String, byte[]> encoder;
        private final Member member;

        Session(SocketAdapter adapter) {
            decoder = LINES.decoder(adapter);
            encoder = LINES.encoder(adapter);
            member = new Member(adapter, encoder.inbox);
            adapter.outbox.linkTo(decoder.inbox);
            adapter.signal.linkTo(decoder.control);
            decoder.outbox.linkTo(inbox);
            decoder.signal.linkTo(control);
            encoder.outbox.linkTo(adapter.inbox);
            encoder.signal.linkTo(adapter.control);
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(decoder);
            spawn(encoder);
            Sink<Event> room = services().lookupOrStart(ROOM, w -> w.spawn(new Room()).inbox);
            room.send(new Join(member));
            try {
                for (;;) {
                    if (select(inbox, control) == inbox) {
                        room.send(new Line(member, inbox.poll()));
                        continue;
                    }
                    Signal s = control.poll();
                    if (s instanceof ProducerFinished) {                  // the client is done: its last lines first
                        for (String line = inbox.poll(); line != null; line = inbox.poll()) {
                            room.send(new Line(member, line));
                        }
                        return;
                    }
                    if (s instanceof Shutdown || s instanceof Terminated t && t.component() == decoder && t.failed()) {
                        return;
                    }
                }
            } finally {
                room.trySend(new Leave(member));
                try {
                    encoder.control.send(new ProducerFinished(this));   // nothing more to write: let it close
                } catch (InboxClosedException alreadyGone) {
                    // the connection ended first
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Weft weft = inspect.start(Weft.builder());
        if (cluster != null) {
            String me = name != null ? name : "chat-" + ProcessHandle.current().pid();
            Cluster joined = Cluster.join(weft, ClusterOptions.of(me, cluster.split(",")));
            Runtime.getRuntime().addShutdownHook(new Thread(joined::close, "chat-cluster-leave"));
            Room room = weft.spawn(new Room(joined));
            weft.services().register(ROOM, room.inbox);
            joined.register(ServiceKey.of(PEERS + me, String.class), room.peers, Codec.strings());
            spec.commandLine().getOut().println("chat: runtime " + me + " joined the cluster at " + cluster);
        }
        TcpServer server = weft.spawn(new TcpServer(port, adapter -> weft.spawn(new Session(adapter))));
        return UntilShutdown.serve(weft, server, "chat server", spec.commandLine().getOut());
    }
}
