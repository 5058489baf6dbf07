package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Savina "big": {@value #PARTIES} parties each ping a random other party and wait for its pong,
 * {@code n / PARTIES} times (so {@code n} round trips in all); a sink counts the parties that are
 * done and then sends everyone away. The check: every pong came from the party pinged, and the
 * sink heard from all. Inboxes hold {@value #CAPACITY}, more than can ever wait in one, so that no
 * send blocks (bounded inboxes could otherwise deadlock in a cycle of full ones).
 */
final class Big {
    static final int PARTIES = 120;
    static final int CAPACITY = 256;

    private Big() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new Components();
            case "actors" -> new Actors();
            case "pekko" -> new OnPekkoTrial();
            default -> throw new IllegalArgumentException("big has no peer " + peer);
        };
    }

    record Ping(int from) {
    }

    record Pong(int from) {
    }

    record Exit() {
    }

    static final Exit EXIT = new Exit();

    /** One party's state; addresses are inboxes (Weft) or actor references (Pekko). */
    static final class Party {
        private final int id;
        private final long pings;
        private final Object[] parties;
        private final Object sink;
        private final BiConsumer<Object, Object> tell;
        private final Ping myPing;
        private final Pong myPong;
        private long seed;
        private long sent;
        private int expected = -1;
        long wrongPongs;

        Party(int id, long pings, Object[] parties, Object sink, BiConsumer<Object, Object> tell) {
            this.id = id;
            this.pings = pings;
            this.parties = parties;
            this.sink = sink;
            this.tell = tell;
            this.myPing = new Ping(id);
            this.myPong = new Pong(id);
            this.seed = id * 0x9E3779B97F4A7C15L + 1;
        }

        /** Handles one message; returns true on Exit. */
        boolean handle(Object m) {
            switch (m) {
                case Ping ping -> tell.accept(parties[ping.from()], myPong);
                case Pong pong -> {
                    if (pong.from() != expected) {
                        wrongPongs++;
                    }
                    if (sent == pings) {
                        tell.accept(sink, wrongPongs == 0 ? EXIT : new IllegalStateException(
                                "big: party " + id + " got " + wrongPongs + " pongs from parties it had not pinged"));
                    } else {
                        sent++;
                        seed = seed * 6364136223846793005L + 1442695040888963407L;
                        expected = (int) ((seed >>> 33) % parties.length);
                        tell.accept(parties[expected], myPing);
                    }
                }
                default -> {
                    return true;
                }
            }
            return false;
        }
    }

    /** The sink's state: counts the parties that are done, then sends every party away. */
    static final class Sink {
        private final Object[] parties;
        private final BiConsumer<Object, Object> tell;
        private int done;

        Sink(Object[] parties, BiConsumer<Object, Object> tell) {
            this.parties = parties;
            this.tell = tell;
        }

        /** Handles one message; returns true once all parties are done and told to leave. */
        boolean handle(Object m) {
            if (m instanceof IllegalStateException failure) {
                throw failure;
            }
            if (++done < parties.length) {
                return false;
            }
            for (Object party : parties) {
                tell.accept(party, EXIT);
            }
            return true;
        }
    }

    static long pingsPerParty(long n) {
        return Math.max(1, n / PARTIES);
    }

    // ---------------------------------------------------------------- Weft components

    static final class PartyComponent extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class, CAPACITY);
        Party party;

        @Override
        protected void run() throws InterruptedException {
            while (!party.handle(inbox.receive())) {
                // pinging
            }
        }
    }

    static final class SinkComponent extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class, CAPACITY);
        Sink sink;

        @Override
        protected void run() throws InterruptedException {
            while (!sink.handle(inbox.receive())) {
                // counting
            }
        }
    }

    static final class Components extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            SinkComponent sink = new SinkComponent();
            PartyComponent[] parties = new PartyComponent[PARTIES];
            Object[] addresses = new Object[PARTIES];
            for (int i = 0; i < PARTIES; i++) {
                parties[i] = new PartyComponent();
                addresses[i] = parties[i].inbox;
            }
            sink.sink = new Sink(addresses, Chameneos::sendTo);
            for (int i = 0; i < PARTIES; i++) {
                parties[i].party = new Party(i, pingsPerParty(n), addresses, sink.inbox, Chameneos::sendTo);
            }
            weft.spawn(sink);
            for (PartyComponent p : parties) {
                weft.spawn(p).inbox.send(new Pong(-1));
            }
            failIfFailed(sink.join().cause());
            for (PartyComponent p : parties) {
                p.join();
            }
            return System.nanoTime() - start;
        }
    }

    // ---------------------------------------------------------------- Weft actors

    static final class PartyActor extends Actor<Object> {
        Party party;

        PartyActor() {
            super("party", Object.class, CAPACITY);
        }

        @Override
        protected void onMessage(Object m) {
            if (party.handle(m)) {
                finish();
            }
        }
    }

    static final class SinkActor extends Actor<Object> {
        Sink sink;

        SinkActor() {
            super("sink", Object.class, CAPACITY);
        }

        @Override
        protected void onMessage(Object m) {
            if (sink.handle(m)) {
                finish();
            }
        }
    }

    static final class Actors extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            SinkActor sink = new SinkActor();
            PartyActor[] parties = new PartyActor[PARTIES];
            Object[] addresses = new Object[PARTIES];
            for (int i = 0; i < PARTIES; i++) {
                parties[i] = new PartyActor();
                addresses[i] = parties[i].inbox;
            }
            sink.sink = new Sink(addresses, Chameneos::sendTo);
            for (int i = 0; i < PARTIES; i++) {
                parties[i].party = new Party(i, pingsPerParty(n), addresses, sink.inbox, Chameneos::sendTo);
            }
            weft.spawn(sink);
            for (PartyActor p : parties) {
                weft.spawn(p).inbox.send(new Pong(-1));
            }
            failIfFailed(sink.join().cause());
            for (PartyActor p : parties) {
                p.join();
            }
            return System.nanoTime() - start;
        }
    }

    static void failIfFailed(Throwable cause) {
        if (cause != null) {
            throw new IllegalStateException(cause);
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    record Wire(Object[] parties, ActorRef<Object> sink) {
    }

    static Behavior<Object> party(int id, long pings) {
        Party[] party = new Party[1];
        return Behaviors.receiveMessage(m -> {
            if (m instanceof Wire w) {
                party[0] = new Party(id, pings, w.parties(), w.sink(), Chameneos::tell);
                return Behaviors.same();
            }
            return party[0].handle(m) ? Behaviors.stopped() : Behaviors.same();
        });
    }

    static Behavior<Object> sink(CompletableFuture<Void> done) {
        Sink[] sink = new Sink[1];
        return Behaviors.receiveMessage(m -> {
            if (m instanceof Wire w) {
                sink[0] = new Sink(w.parties(), Chameneos::tell);
                return Behaviors.same();
            }
            try {
                if (sink[0].handle(m)) {
                    done.complete(null);
                    return Behaviors.stopped();
                }
            } catch (IllegalStateException failure) {
                done.completeExceptionally(failure);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }

    static final class OnPekkoTrial extends OnPekko {
        @Override
        public long run(long n) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Object> sink = pekko.spawn(sink(done));
            Object[] parties = new Object[PARTIES];
            for (int i = 0; i < PARTIES; i++) {
                parties[i] = pekko.spawn(party(i, pingsPerParty(n)));
            }
            Wire wire = new Wire(parties, sink);
            sink.tell(wire);
            for (Object p : parties) {
                Chameneos.tell(p, wire);
            }
            for (Object p : parties) {                    // only once every party knows the others
                Chameneos.tell(p, new Pong(-1));
            }
            done.get();
            return System.nanoTime() - start;
        }
    }
}
