package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Savina "threadring": {@value #RING} parties in a ring pass a token {@code n} times (a new ping
 * message per hop, as in Savina); the party that gets the token with no hops left starts an exit
 * wave around the ring. The check: that party is number {@code n % RING}.
 */
final class ThreadRing {
    static final int RING = 100;

    private ThreadRing() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new Components();
            case "actors" -> new Actors();
            case "pekko" -> new OnPekkoTrial();
            default -> throw new IllegalArgumentException("threadring has no peer " + peer);
        };
    }

    record Ping(long left) {
    }

    record Exit(int left) {
    }

    /** Where the token ran out, and the exit wave's end. */
    static final class Outcome {
        final CompletableFuture<Integer> lastHop = new CompletableFuture<>();
        final CountDownLatch exited = new CountDownLatch(RING);

        long await(long n, long start) throws Exception {
            int at = lastHop.get();
            exited.await();
            long elapsed = System.nanoTime() - start;
            if (at != n % RING) {
                throw new IllegalStateException("threadring: the token ran out at party " + at + ", expected "
                        + n % RING);
            }
            return elapsed;
        }
    }

    /** What one party does with a message; returns the message for the next party, or null. */
    static Object step(Object m, int id, Outcome outcome) {
        if (m instanceof Ping p) {
            if (p.left() > 0) {
                return new Ping(p.left() - 1);
            }
            outcome.lastHop.complete(id);
            return new Exit(RING);
        }
        Exit e = (Exit) m;
        outcome.exited.countDown();
        return e.left() > 1 ? new Exit(e.left() - 1) : null;
    }

    // ---------------------------------------------------------------- Weft components

    static final class Party extends Component {
        final Inbox<Object> inbox = inbox(Object.class);
        private final int id;
        private final Outcome outcome;
        Inbox<Object> next;

        Party(int id, Outcome outcome) {
            this.id = id;
            this.outcome = outcome;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Object m = inbox.receive();
                Object out = step(m, id, outcome);
                if (out != null) {
                    next.send(out);
                }
                if (m instanceof Exit) {
                    return;
                }
            }
        }
    }

    static final class Components extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            Outcome outcome = new Outcome();
            long start = System.nanoTime();
            Party[] ring = new Party[RING];
            for (int i = 0; i < RING; i++) {
                ring[i] = new Party(i, outcome);
            }
            for (int i = 0; i < RING; i++) {
                ring[i].next = ring[(i + 1) % RING].inbox;
                weft.spawn(ring[i]);
            }
            ring[0].inbox.send(new Ping(n));
            return outcome.await(n, start);
        }
    }

    // ---------------------------------------------------------------- Weft actors

    static final class PartyActor extends Actor<Object> {
        private final int id;
        private final Outcome outcome;
        Inbox<Object> next;

        PartyActor(int id, Outcome outcome) {
            super(Object.class);
            this.id = id;
            this.outcome = outcome;
        }

        @Override
        protected void onMessage(Object m) throws InterruptedException {
            Object out = step(m, id, outcome);
            if (out != null) {
                next.send(out);
            }
            if (m instanceof Exit) {
                finish();
            }
        }
    }

    static final class Actors extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            Outcome outcome = new Outcome();
            long start = System.nanoTime();
            PartyActor[] ring = new PartyActor[RING];
            for (int i = 0; i < RING; i++) {
                ring[i] = new PartyActor(i, outcome);
            }
            for (int i = 0; i < RING; i++) {
                ring[i].next = ring[(i + 1) % RING].inbox;
                weft.spawn(ring[i]);
            }
            ring[0].inbox.send(new Ping(n));
            return outcome.await(n, start);
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    record Next(ActorRef<Object> next) {
    }

    static Behavior<Object> party(int id, Outcome outcome) {
        @SuppressWarnings("unchecked")
        ActorRef<Object>[] next = new ActorRef[1];
        return Behaviors.receiveMessage(m -> {
            if (m instanceof Next n) {
                next[0] = n.next();
                return Behaviors.same();
            }
            Object out = step(m, id, outcome);
            if (out != null) {
                next[0].tell(out);
            }
            return m instanceof Exit ? Behaviors.stopped() : Behaviors.same();
        });
    }

    static final class OnPekkoTrial extends OnPekko {
        @Override
        public long run(long n) throws Exception {
            Outcome outcome = new Outcome();
            long start = System.nanoTime();
            @SuppressWarnings("unchecked")
            ActorRef<Object>[] ring = new ActorRef[RING];
            for (int i = 0; i < RING; i++) {
                ring[i] = pekko.spawn(party(i, outcome));
            }
            for (int i = 0; i < RING; i++) {
                ring[i].tell(new Next(ring[(i + 1) % RING]));
            }
            ring[0].tell(new Ping(n));
            return outcome.await(n, start);
        }
    }
}
