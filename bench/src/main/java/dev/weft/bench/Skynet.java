package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Skynet: every node spawns {@value #FAN_OUT} children until {@code n} leaves exist (n a power of
 * ten); each leaf reports its number, each inner node the sum of its children's reports.
 */
final class Skynet {
    static final int FAN_OUT = 10;

    private Skynet() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new WeftTrial();
            case "actors" -> new ActorTrial();
            case "pekko" -> new PekkoTrial();
            case "vt" -> Skynet::virtualThreads;
            default -> throw new IllegalArgumentException("skynet has no peer " + peer);
        };
    }

    static long expected(long leaves) {
        return leaves * (leaves - 1) / 2;
    }

    static void check(long leaves, long sum) {
        if (sum != expected(leaves)) {
            throw new IllegalStateException("skynet summed " + sum + ", expected " + expected(leaves));
        }
    }

    // ---------------------------------------------------------------- Weft

    /** A node: spawns its children as its own children and sums what they send to its inbox. */
    static final class Node extends Component {
        final Inbox<Long> inbox = inbox(Long.class);
        private final long num;
        private final long size;
        private final Inbox<Long> report;

        Node(long num, long size, Inbox<Long> report) {
            this.num = num;
            this.size = size;
            this.report = report;
        }

        @Override
        protected void run() throws InterruptedException {
            if (size == 1) {
                report.send(num);
                return;
            }
            long child = size / FAN_OUT;
            for (int i = 0; i < FAN_OUT; i++) {
                spawn(new Node(num + i * child, child, inbox));
            }
            long sum = 0;
            for (int i = 0; i < FAN_OUT; i++) {
                sum += inbox.receive();
            }
            report.send(sum);
        }
    }

    /** Spawns the root node and waits for its sum. */
    static final class Top extends Component {
        final Inbox<Long> inbox = inbox(Long.class);
        private final long leaves;
        volatile long sum;

        Top(long leaves) {
            this.leaves = leaves;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(new Node(0, leaves, inbox));
            sum = inbox.receive();
        }
    }

    static final class WeftTrial implements Trial {
        private final Weft weft = Weft.start();

        @Override
        public long run(long leaves) throws Exception {
            long start = System.nanoTime();
            Top top = weft.spawn(new Top(leaves));
            top.join();
            long elapsed = System.nanoTime() - start;
            check(leaves, top.sum);
            return elapsed;
        }

        @Override
        public void close() {
            weft.close();
        }
    }

    // ---------------------------------------------------------------- Weft actors

    /** A node as an actor: spawns its children in onStart, sums their reports as they arrive. */
    static final class NodeActor extends Actor<Long> {
        private final long num;
        private final long size;
        private final Inbox<Long> report;
        private long sum;
        private int reported;

        NodeActor(long num, long size, Inbox<Long> report) {
            super(Long.class);
            this.num = num;
            this.size = size;
            this.report = report;
        }

        @Override
        protected void onStart() throws InterruptedException {
            if (size == 1) {
                report.send(num);
                finish();
                return;
            }
            long child = size / FAN_OUT;
            for (int i = 0; i < FAN_OUT; i++) {
                spawn(new NodeActor(num + i * child, child, inbox));
            }
        }

        @Override
        protected void onMessage(Long value) throws InterruptedException {
            sum += value;
            if (++reported == FAN_OUT) {
                report.send(sum);
                finish();
            }
        }
    }

    /** Receives the root's sum. */
    static final class TopActor extends Actor<Long> {
        final CompletableFuture<Long> sum = new CompletableFuture<>();

        TopActor() {
            super(Long.class);
        }

        @Override
        protected void onMessage(Long value) {
            sum.complete(value);
            finish();
        }
    }

    static final class ActorTrial extends OnWeft {
        @Override
        public long run(long leaves) throws Exception {
            long start = System.nanoTime();
            TopActor top = weft.spawn(new TopActor());
            weft.spawn(new NodeActor(0, leaves, top.inbox));
            long sum = top.sum.get();
            long elapsed = System.nanoTime() - start;
            check(leaves, sum);
            return elapsed;
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    static Behavior<Long> node(long num, long size, ActorRef<Long> report) {
        return Behaviors.setup(ctx -> {
            if (size == 1) {
                report.tell(num);
                return Behaviors.stopped();
            }
            long child = size / FAN_OUT;
            for (int i = 0; i < FAN_OUT; i++) {
                ctx.spawnAnonymous(node(num + i * child, child, ctx.getSelf()));
            }
            long[] sum = {0};
            int[] got = {0};
            return Behaviors.receiveMessage(v -> {
                sum[0] += v;
                if (++got[0] == FAN_OUT) {
                    report.tell(sum[0]);
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        });
    }

    static final class PekkoTrial implements Trial {
        private final Pekko pekko = new Pekko();

        @Override
        public long run(long leaves) throws Exception {
            CompletableFuture<Long> result = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Long> top = pekko.spawn(Behaviors.<Long>receiveMessage(v -> {
                result.complete(v);
                return Behaviors.stopped();
            }));
            pekko.spawn(node(0, leaves, top));
            long sum = result.get();
            long elapsed = System.nanoTime() - start;
            check(leaves, sum);
            return elapsed;
        }

        @Override
        public void close() throws Exception {
            pekko.close();
        }
    }

    // ---------------------------------------------------------------- plain virtual threads

    /** Each node is a virtual thread that starts its children and joins them. */
    static long virtualThreads(long leaves) throws Exception {
        long[] result = new long[1];
        long start = System.nanoTime();
        Thread root = Thread.ofVirtual().start(() -> result[0] = vtNode(0, leaves));
        root.join();
        long elapsed = System.nanoTime() - start;
        check(leaves, result[0]);
        return elapsed;
    }

    private static long vtNode(long num, long size) {
        if (size == 1) {
            return num;
        }
        long child = size / FAN_OUT;
        long[] sums = new long[FAN_OUT];
        Thread[] children = new Thread[FAN_OUT];
        for (int i = 0; i < FAN_OUT; i++) {
            int at = i;
            children[i] = Thread.ofVirtual().start(() -> sums[at] = vtNode(num + at * child, child));
        }
        long sum = 0;
        try {
            for (int i = 0; i < FAN_OUT; i++) {
                children[i].join();
                sum += sums[i];
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }
}
