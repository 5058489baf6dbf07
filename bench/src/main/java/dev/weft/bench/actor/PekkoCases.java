package dev.weft.bench.actor;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The same throughput cases with Pekko typed actors (default dispatcher); one actor system per JVM. */
final class PekkoCases {
    private static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "bench");
    private static long names;

    private PekkoCases() {
    }

    static ActorSystem<Void> system() {
        return SYSTEM;
    }

    static <T> ActorRef<T> spawn(Behavior<T> behavior) {
        return SYSTEM.systemActorOf(behavior, "a" + ++names, org.apache.pekko.actor.typed.Props.empty());
    }

    record Ball(int n, ActorRef<Ball> replyTo) {
    }

    static long pingPong() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ActorRef<Ball> pong = spawn(Behaviors.<Ball>setup(ctx -> Behaviors.receiveMessage(b -> {
            b.replyTo().tell(new Ball(b.n(), ctx.getSelf()));
            return Behaviors.same();
        })));
        ActorRef<Ball> ping = spawn(Behaviors.<Ball>setup(ctx -> Behaviors.receiveMessage(b -> {
            if (b.n() == WeftCases.ROUND_TRIPS) {
                done.complete(null);
                return Behaviors.stopped();
            }
            b.replyTo().tell(new Ball(b.n() + 1, ctx.getSelf()));
            return Behaviors.same();
        })));
        pong.tell(new Ball(1, ping));
        done.get();
        stop(pong);
        return WeftCases.ROUND_TRIPS;
    }

    @SuppressWarnings("unchecked")
    static long ring() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ActorRef<Integer>[] ring = new ActorRef[WeftCases.RING];
        for (int i = 0; i < ring.length; i++) {
            int next = (i + 1) % ring.length;
            ring[i] = spawn(Behaviors.receiveMessage(h -> {
                if (h == WeftCases.HOPS) {
                    done.complete(null);
                } else {
                    ring[next].tell(h + 1);
                }
                return Behaviors.same();
            }));
        }
        ring[0].tell(0);
        done.get();
        for (ActorRef<Integer> r : ring) {
            stop(r);
        }
        return WeftCases.HOPS;
    }

    static long fanIn() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long expected = (long) WeftCases.SENDERS * WeftCases.PER_SENDER;
        long[] count = {0};
        ActorRef<Integer> counter = spawn(Behaviors.receiveMessage(n -> {
            if (++count[0] == expected) {
                done.complete(null);
            }
            return Behaviors.same();
        }));
        for (int s = 0; s < WeftCases.SENDERS; s++) {
            ActorRef<Integer> sender = spawn(Behaviors.receiveMessage(go -> {
                for (int i = 0; i < WeftCases.PER_SENDER; i++) {
                    counter.tell(i);
                }
                return Behaviors.stopped();
            }));
            sender.tell(0);
        }
        done.get();
        stop(counter);
        return expected;
    }

    /** Stops a top-level actor by asking the system to (a typed actor cannot be stopped from outside). */
    private static <T> void stop(ActorRef<T> ref) {
        SYSTEM.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ref));
    }
}
