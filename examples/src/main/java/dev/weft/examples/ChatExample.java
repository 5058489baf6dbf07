package dev.weft.examples;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Weft;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A chat room over TCP: every line a client sends goes to all the other clients, through a fan-out
 * component found in the service registry. A client is greeted with a welcome line once it has joined.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "A TCP chat room on loopback: each line from one client goes to all the others.")
final class ChatExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Option(names = "--port", defaultValue = "7008", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Spec
    CommandSpec spec;

    /** What the room takes: members coming and going, and their lines. */
    sealed interface Event {
    }

    record Join(SocketAdapter member) implements Event {
    }

    record Leave(SocketAdapter member) implements Event {
    }

    record Line(SocketAdapter from, byte[] line) implements Event {
    }

    static final ServiceKey<Event> ROOM = ServiceKey.of("examples.chat.room", Event.class);

    /**
     * Sends each line to every member but its sender. A member whose inbox is full (a client that does
     * not read) is disconnected rather than allowed to stall the room.
     */
    static final class Room extends Component {
        final Inbox<Event> inbox = inbox(Event.class);
        private final List<SocketAdapter> members = new ArrayList<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control()) == control()) {
                    if (control().poll() instanceof dev.weft.runtime.Shutdown) {
                        return;
                    }
                    continue;
                }
                switch (inbox.poll()) {
                    case Join j -> welcome(j.member());
                    case Leave l -> members.remove(l.member());
                    case Line l -> fanOut(l);
                }
            }
        }

        /** Adds a member and tells it so: once a client reads the welcome, it gets every later line. */
        private void welcome(SocketAdapter member) {
            members.add(member);
            byte[] hello = ("* welcome: " + members.size() + " here\n").getBytes(StandardCharsets.UTF_8);
            try {
                member.inbox.trySend(hello);
            } catch (InboxClosedException gone) {
                members.remove(member);
            }
        }

        private void fanOut(Line line) {
            for (SocketAdapter member : List.copyOf(members)) {
                if (member == line.from()) {
                    continue;
                }
                try {
                    if (!member.inbox.trySend(line.line())) {
                        System.getLogger(Room.class.getName()).log(System.Logger.Level.WARNING,
                                "{0} is not reading; disconnecting it", member.channel());
                        members.remove(member);
                        member.shutdown();
                    }
                } catch (InboxClosedException gone) {
                    members.remove(member);
                }
            }
        }
    }

    /** Cuts one connection's bytes into lines and hands them to the room. */
    static final class Session extends Component {
        private static final int MAX_LINE = 4096;
        final Inbox<byte[]> inbox = inbox(byte[].class);
        private final SocketAdapter adapter;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        Session(SocketAdapter adapter) {
            this.adapter = adapter;
        }

        @Override
        protected void run() throws InterruptedException {
            Inbox<Event> room = services().lookupOrStart(ROOM, w -> w.spawn(new Room()).inbox);
            room.send(new Join(adapter));
            try {
                while (select(inbox, control()) == inbox) {
                    for (byte b : inbox.poll()) {
                        partial.write(b);
                        if (b == '\n' || partial.size() == MAX_LINE) {
                            room.send(new Line(adapter, partial.toByteArray()));
                            partial.reset();
                        }
                    }
                }
            } finally {
                room.trySend(new Leave(adapter));
                try {
                    adapter.control().send(new ProducerFinished(this));   // nothing more to write: let it close
                } catch (InboxClosedException alreadyGone) {
                    // the connection ended first
                }
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Weft weft = inspect.start(Weft.builder());
        TcpServer server = weft.spawn(new TcpServer(port, adapter -> {
            Session session = new Session(adapter);
            adapter.outbox.linkTo(session.inbox);
            adapter.signal().linkTo(session.control());
            weft.spawn(session);
        }));
        return UntilShutdown.serve(weft, server, "chat server", spec.commandLine().getOut());
    }
}
