package dev.weft.bench.actor;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Weft;
import java.lang.management.ManagementFactory;
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

    static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);   // lets the GC's own threads settle between collections
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
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
        long before = usedHeapAfterGc();
        for (int i = 0; i < ACTORS; i++) {
            Idle idle = weft.spawn(new Idle(handled));
            hold[i] = idle;
            if (messaged) {
                idle.inbox().send(Boolean.TRUE);
            }
        }
        handled.await();
        long after = usedHeapAfterGc();
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
        long before = usedHeapAfterGc();
        CompletableFuture<Void> done = new CompletableFuture<>();
        spawner.tell(new SpawnIdle(hold, messaged, handled, done));
        done.get();
        handled.await();
        long after = usedHeapAfterGc();
        Reference.reachabilityFence(hold);
        return (double) (after - before) / ACTORS;
    }
}
