package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.lang.ref.Reference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Idle memory: heap bytes per idle party, measured as used heap after full GCs with {@code n}
 * parties alive minus used heap before creating them, divided by {@code n}. Run once per fresh JVM.
 * The array holding the parties is allocated before the first measurement, so it is not counted.
 * Nothing is torn down: the JVM exits after the measurement.
 */
final class IdleMemory {
    private IdleMemory() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> IdleMemory::weft;
            case "actors" -> IdleMemory::actors;
            case "pekko" -> IdleMemory::pekko;
            case "vt" -> IdleMemory::virtualThreads;
            default -> throw new IllegalArgumentException("memory has no peer " + peer);
        };
    }

    /** Waits until every party has settled, so that what is measured is the idle state. */
    private static void settle() throws InterruptedException {
        Thread.sleep(500);
    }

    // ---------------------------------------------------------------- Weft

    static final class Idle extends Component {
        final Inbox<Object> inbox = inbox(Object.class);
        private final CountDownLatch started;

        Idle(CountDownLatch started) {
            this.started = started;
        }

        @Override
        protected void run() throws InterruptedException {
            started.countDown();
            inbox.receive();
        }
    }

    static long weft(long n) throws Exception {
        Object[] hold = new Object[(int) n];
        CountDownLatch started = new CountDownLatch((int) n);
        Weft weft = Weft.start();
        long before = Heap.usedAfterGc();
        for (int i = 0; i < n; i++) {
            hold[i] = weft.spawn(new Idle(started));
        }
        started.await();
        settle();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        return (after - before) / n;
    }

    /** A handler-style actor that has never been sent anything: objects only, no thread. */
    static final class IdleActor extends Actor<Object> {
        IdleActor() {
            super(Object.class);
        }

        @Override
        protected void onMessage(Object message) {
        }
    }

    static long actors(long n) throws Exception {
        Object[] hold = new Object[(int) n];
        Weft weft = Weft.start();
        long before = Heap.usedAfterGc();
        for (int i = 0; i < n; i++) {
            hold[i] = weft.spawn(new IdleActor());
        }
        settle();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        return (after - before) / n;
    }

    // ---------------------------------------------------------------- Pekko typed

    record SpawnIdle(int count, Object[] hold, CompletableFuture<Void> done) {
    }

    static Behavior<SpawnIdle> spawner() {
        Behavior<Object> idle = Behaviors.receiveMessage(m -> Behaviors.same());
        return Behaviors.setup(ctx -> Behaviors.receiveMessage(cmd -> {
            for (int i = 0; i < cmd.count(); i++) {
                ActorRef<Object> ref = ctx.spawnAnonymous(idle);
                cmd.hold()[i] = ref;
            }
            cmd.done().complete(null);
            return Behaviors.same();
        }));
    }

    static long pekko(long n) throws Exception {
        Object[] hold = new Object[(int) n];
        Pekko pekko = new Pekko();
        ActorRef<SpawnIdle> spawner = pekko.spawn(spawner());
        long before = Heap.usedAfterGc();
        CompletableFuture<Void> done = new CompletableFuture<>();
        spawner.tell(new SpawnIdle((int) n, hold, done));
        done.get();
        settle();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        return (after - before) / n;
    }

    // ---------------------------------------------------------------- plain virtual threads

    static long virtualThreads(long n) throws Exception {
        Object[] hold = new Object[(int) n];
        CountDownLatch started = new CountDownLatch((int) n);
        long before = Heap.usedAfterGc();
        for (int i = 0; i < n; i++) {
            hold[i] = Thread.ofVirtual().start(() -> {
                started.countDown();
                for (;;) {
                    LockSupport.park();
                }
            });
        }
        started.await();
        settle();
        long after = Heap.usedAfterGc();
        Reference.reachabilityFence(hold);
        return (after - before) / n;
    }
}
