package dev.weft.bench.actor;

import dev.weft.bench.Heap;
import dev.weft.runtime.Actor;
import dev.weft.runtime.Weft;
import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Heap bytes per idle actor for {@link #ACTORS} actors: used heap after full GCs with them alive,
 * minus used heap before they were made, divided by their number. Run once per fresh JVM; the array
 * holding them is allocated before the first measurement, so it is not counted.
 */
final class IdleMemory {
    static final int ACTORS = 1_000_000;

    private IdleMemory() {
    }

    static final class Idle extends Actor<Object> {
        private final CountDownLatch handled;

        Idle(CountDownLatch handled) {
            super(Object.class);
            this.handled = handled;
        }

        @Override
        protected void onMessage(Object message) {
            handled.countDown();
        }
    }

    static double weft(boolean messaged) throws Exception {
        Object[] hold = new Object[ACTORS];
        CountDownLatch handled = new CountDownLatch(messaged ? ACTORS : 0);
        Weft weft = Weft.start();
        long before = Heap.usedAfterGc();
        for (int i = 0; i < ACTORS; i++) {
            Idle idle = weft.spawn(new Idle(handled));
            hold[i] = idle;
            if (messaged) {
                idle.inbox.send(Boolean.TRUE);
            }
        }
        handled.await();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        Reference.reachabilityFence(weft);
        return (double) (after - before) / ACTORS;
    }

    record SpawnIdle(Object[] hold, boolean messaged, CountDownLatch handled, CompletableFuture<Void> done) {
    }

    static Behavior<SpawnIdle> spawner() {
        return Behaviors.setup(ctx -> Behaviors.receiveMessage(cmd -> {
            Behavior<Object> idle = Behaviors.receiveMessage(m -> {
                cmd.handled().countDown();
                return Behaviors.same();
            });
            for (int i = 0; i < cmd.hold().length; i++) {
                ActorRef<Object> ref = ctx.spawnAnonymous(idle);
                cmd.hold()[i] = ref;
                if (cmd.messaged()) {
                    ref.tell(Boolean.TRUE);
                }
            }
            cmd.done().complete(null);
            return Behaviors.same();
        }));
    }

    static double pekko(boolean messaged) throws Exception {
        Object[] hold = new Object[ACTORS];
        CountDownLatch handled = new CountDownLatch(messaged ? ACTORS : 0);
        ActorRef<SpawnIdle> spawner = PekkoCases.spawn(spawner());
        long before = Heap.usedAfterGc();
        CompletableFuture<Void> done = new CompletableFuture<>();
        spawner.tell(new SpawnIdle(hold, messaged, handled, done));
        done.get();
        handled.await();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        return (double) (after - before) / ACTORS;
    }
}
