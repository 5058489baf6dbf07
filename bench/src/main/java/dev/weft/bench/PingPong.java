package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Ping-pong: two parties hand one ball back and forth; {@code n} is the number of round trips.
 * The ball is a shared constant, so no peer allocates per message beyond what its machinery does.
 */
final class PingPong {
    static final Integer BALL = 1;

    private PingPong() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new WeftTrial();
            case "pekko" -> new PekkoTrial();
            case "actors" -> new ActorTrial();
            case "park" -> rounds -> parkUnpark(rounds, 0);
            case "spin" -> rounds -> parkUnpark(rounds, ParkingMailbox.SPINS);
            case "syncq" -> PingPong::synchronousQueue;
            default -> throw new IllegalArgumentException("ping-pong has no peer " + peer);
        };
    }

    // ---------------------------------------------------------------- Weft

    static final class Player extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final long rounds;
        private final boolean serves;

        Player(long rounds, boolean serves) {
            this.rounds = rounds;
            this.serves = serves;
        }

        @Override
        protected void run() throws InterruptedException {
            for (long i = 0; i < rounds; i++) {
                if (serves) {
                    outbox.send(BALL);
                    inbox.receive();
                } else {
                    outbox.send(inbox.receive());
                }
            }
        }
    }

    static final class WeftTrial implements Trial {
        private final Weft weft = Weft.start();

        @Override
        public long run(long rounds) throws Exception {
            Player ping = new Player(rounds, true);
            Player pong = new Player(rounds, false);
            weft.link(ping.outbox, pong.inbox);
            weft.link(pong.outbox, ping.inbox);
            long start = System.nanoTime();
            weft.spawn(pong);
            weft.spawn(ping);
            ping.join();
            pong.join();
            return System.nanoTime() - start;
        }

        @Override
        public void close() {
            weft.close();
        }
    }

    // ---------------------------------------------------------------- Weft actors

    /** Returns each ball; the server completes {@code done} after its last round trip. */
    static final class ActorPlayer extends Actor<Integer> {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final long rounds;
        private final boolean serves;
        private final CompletableFuture<Void> done;
        private long count;

        ActorPlayer(long rounds, boolean serves, CompletableFuture<Void> done) {
            super(Integer.class);
            this.rounds = rounds;
            this.serves = serves;
            this.done = done;
        }

        @Override
        protected void onStart() throws InterruptedException {
            if (serves) {
                outbox.send(BALL);
            }
        }

        @Override
        protected void onMessage(Integer ball) throws InterruptedException {
            if (++count == rounds) {
                if (!serves) {
                    outbox.send(ball);
                }
                done.complete(null);
                finish();
            } else {
                outbox.send(ball);
            }
        }
    }

    static final class ActorTrial extends OnWeft {
        @Override
        public long run(long rounds) throws Exception {
            CompletableFuture<Void> pingDone = new CompletableFuture<>();
            CompletableFuture<Void> pongDone = new CompletableFuture<>();
            ActorPlayer ping = new ActorPlayer(rounds, true, pingDone);
            ActorPlayer pong = new ActorPlayer(rounds, false, pongDone);
            weft.link(ping.outbox, pong.inbox);
            weft.link(pong.outbox, ping.inbox);
            long start = System.nanoTime();
            weft.spawn(pong);
            weft.spawn(ping);
            pingDone.get();
            pongDone.get();
            return System.nanoTime() - start;
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    record Partner(ActorRef<Object> ref) {
    }

    static Behavior<Object> player(long rounds, boolean serves, CompletableFuture<Void> done) {
        return Behaviors.setup(ctx -> {
            @SuppressWarnings("unchecked")
            ActorRef<Object>[] partner = new ActorRef[1];
            long[] count = {0};
            return Behaviors.receiveMessage(msg -> {
                if (msg instanceof Partner p) {
                    partner[0] = p.ref();
                    if (serves) {
                        partner[0].tell(BALL);
                    }
                    return Behaviors.same();
                }
                count[0]++;
                if (!serves) {
                    partner[0].tell(msg);
                }
                if (count[0] == rounds) {
                    done.complete(null);
                    return Behaviors.stopped();
                }
                if (serves) {
                    partner[0].tell(BALL);
                }
                return Behaviors.same();
            });
        });
    }

    static final class PekkoTrial implements Trial {
        private final Pekko pekko = new Pekko();

        @Override
        public long run(long rounds) throws Exception {
            CompletableFuture<Void> pingDone = new CompletableFuture<>();
            CompletableFuture<Void> pongDone = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Object> pong = pekko.spawn(player(rounds, false, pongDone));
            ActorRef<Object> ping = pekko.spawn(player(rounds, true, pingDone));
            pong.tell(new Partner(ping));
            ping.tell(new Partner(pong));
            pingDone.get();
            pongDone.get();
            return System.nanoTime() - start;
        }

        @Override
        public void close() throws Exception {
            pekko.close();
        }
    }

    // ---------------------------------------------------------------- plain virtual threads

    /** Two virtual threads over {@link ParkingMailbox}es that poll {@code spins} times before parking. */
    static long parkUnpark(long rounds, int spins) throws InterruptedException {
        ParkingMailbox<Integer> toPing = new ParkingMailbox<>(64, spins);
        ParkingMailbox<Integer> toPong = new ParkingMailbox<>(64, spins);
        long start = System.nanoTime();
        Thread pong = Thread.ofVirtual().start(() -> {
            for (long i = 0; i < rounds; i++) {
                toPing.send(toPong.receive());
            }
        });
        Thread ping = Thread.ofVirtual().start(() -> {
            for (long i = 0; i < rounds; i++) {
                toPong.send(BALL);
                toPing.receive();
            }
        });
        ping.join();
        pong.join();
        return System.nanoTime() - start;
    }

    static long synchronousQueue(long rounds) throws InterruptedException {
        SynchronousQueue<Integer> toPing = new SynchronousQueue<>();
        SynchronousQueue<Integer> toPong = new SynchronousQueue<>();
        long start = System.nanoTime();
        Thread pong = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; i < rounds; i++) {
                    toPing.put(toPong.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread ping = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; i < rounds; i++) {
                    toPong.put(BALL);
                    toPing.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ping.join();
        pong.join();
        return System.nanoTime() - start;
    }
}
