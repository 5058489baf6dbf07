package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Savina "count": a producer sends {@code n} increments to a counter, then asks for its total, which
 * must be {@code n}. Weft's counter inbox holds {@value #CAPACITY} messages (a full one pushes the
 * producer back); Pekko's mailbox is unbounded.
 */
final class Count {
    static final int CAPACITY = 1024;
    static final Object INCREMENT = new Object();

    private Count() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new Components();
            case "actors" -> new Actors();
            case "pekko" -> new OnPekkoTrial();
            default -> throw new IllegalArgumentException("count has no peer " + peer);
        };
    }

    record Retrieve(Inbox<Long> replyTo) {
    }

    static void check(long n, long total) {
        if (total != n) {
            throw new IllegalStateException("count: the counter reached " + total + ", expected " + n);
        }
    }

    // ---------------------------------------------------------------- Weft components

    static final class Counter extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class, CAPACITY);

        @Override
        protected void run() throws InterruptedException {
            long count = 0;
            for (;;) {
                Object m = inbox.receive();
                if (m == INCREMENT) {
                    count++;
                } else {
                    ((Retrieve) m).replyTo().send(count);
                    return;
                }
            }
        }
    }

    static final class Producer extends Component {
        final Inbox<Long> inbox = inbox(Long.class);
        private final long n;
        private final Inbox<Object> counter;
        volatile long total;

        Producer(long n, Inbox<Object> counter) {
            this.n = n;
            this.counter = counter;
        }

        @Override
        protected void run() throws InterruptedException {
            for (long i = 0; i < n; i++) {
                counter.send(INCREMENT);
            }
            counter.send(new Retrieve(inbox));
            total = inbox.receive();
        }
    }

    static final class Components extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            Counter counter = weft.spawn(new Counter());
            Producer producer = weft.spawn(new Producer(n, counter.inbox));
            producer.join();
            long elapsed = System.nanoTime() - start;
            check(n, producer.total);
            return elapsed;
        }
    }

    // ---------------------------------------------------------------- Weft actors

    static final class CountingActor extends Actor<Object> {
        private long count;

        CountingActor() {
            super("counter", Object.class, CAPACITY);
        }

        @Override
        protected void onMessage(Object m) throws InterruptedException {
            if (m == INCREMENT) {
                count++;
            } else {
                ((Retrieve) m).replyTo().send(count);
                finish();
            }
        }
    }

    static final class ProducerActor extends Actor<Long> {
        final CompletableFuture<Long> total = new CompletableFuture<>();
        private final long n;
        private final Inbox<Object> counter;

        ProducerActor(long n, Inbox<Object> counter) {
            super(Long.class);
            this.n = n;
            this.counter = counter;
        }

        @Override
        protected void onStart() throws InterruptedException {
            for (long i = 0; i < n; i++) {
                counter.send(INCREMENT);
            }
            counter.send(new Retrieve(inbox));
        }

        @Override
        protected void onMessage(Long result) {
            total.complete(result);
            finish();
        }
    }

    static final class Actors extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            CountingActor counter = weft.spawn(new CountingActor());
            ProducerActor producer = weft.spawn(new ProducerActor(n, counter.inbox));
            long total = producer.total.get();
            long elapsed = System.nanoTime() - start;
            check(n, total);
            return elapsed;
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    record PekkoRetrieve(ActorRef<Long> replyTo) {
    }

    static Behavior<Object> counter() {
        long[] count = {0};
        return Behaviors.receiveMessage(m -> {
            if (m == INCREMENT) {
                count[0]++;
                return Behaviors.same();
            }
            ((PekkoRetrieve) m).replyTo().tell(count[0]);
            return Behaviors.stopped();
        });
    }

    static Behavior<Long> producer(long n, ActorRef<Object> counter, CompletableFuture<Long> total) {
        return Behaviors.setup(ctx -> {
            for (long i = 0; i < n; i++) {
                counter.tell(INCREMENT);
            }
            counter.tell(new PekkoRetrieve(ctx.getSelf()));
            return Behaviors.receiveMessage(result -> {
                total.complete(result);
                return Behaviors.stopped();
            });
        });
    }

    static final class OnPekkoTrial extends OnPekko {
        @Override
        public long run(long n) throws Exception {
            CompletableFuture<Long> total = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Object> counter = pekko.spawn(counter());
            pekko.spawn(producer(n, counter, total));
            long result = total.get();
            long elapsed = System.nanoTime() - start;
            check(n, result);
            return elapsed;
        }
    }
}
