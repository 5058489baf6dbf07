package dev.weft.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A Pekko typed actor system with its default configuration, shared by the Pekko peers of a JVM. */
final class Pekko implements AutoCloseable {
    private static final AtomicLong NAMES = new AtomicLong();
    final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");

    /** Spawns a top-level actor (under the system guardian) with a unique name. */
    <T> ActorRef<T> spawn(Behavior<T> behavior) {
        return system.systemActorOf(behavior, "a" + NAMES.incrementAndGet(), Props.empty());
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toNanos(), TimeUnit.NANOSECONDS);
    }
}
