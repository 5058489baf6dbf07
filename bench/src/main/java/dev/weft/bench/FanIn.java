package dev.weft.bench;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Fan-in: {@value #SENDERS} senders, each on its own virtual thread, send {@code n} messages in
 * total to one receiver. Bounded peers use a capacity of {@value #CAPACITY}; Pekko's default
 * mailbox is unbounded.
 */
final class FanIn {
    static final int SENDERS = 4;
    static final int CAPACITY = 1024;
    private static final Integer MESSAGE = 1;

    private FanIn() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new WeftTrial();
            case "pekko" -> new PekkoTrial();
            case "park" -> FanIn::parkUnpark;
            case "abq" -> FanIn::arrayBlockingQueue;
            default -> throw new IllegalArgumentException("fan-in has no peer " + peer);
        };
    }

    // ---------------------------------------------------------------- Weft

    static final class Sender extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final long count;

        Sender(long count) {
            this.count = count;
        }

        @Override
        protected void run() throws InterruptedException {
            for (long i = 0; i < count; i++) {
                outbox.send(MESSAGE);
            }
        }
    }

    static final class Receiver extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class, CAPACITY);
        private final long count;

        Receiver(long count) {
            this.count = count;
        }

        @Override
        protected void run() throws InterruptedException {
            for (long i = 0; i < count; i++) {
                inbox.receive();
            }
        }
    }

    static final class WeftTrial implements Trial {
        private final Weft weft = Weft.start();

        @Override
        public long run(long n) throws Exception {
            Receiver receiver = new Receiver(n);
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                Sender s = new Sender(n / SENDERS);
                weft.link(s.outbox, receiver.inbox);
                senders.add(s);
            }
            long start = System.nanoTime();
            weft.spawn(receiver);
            senders.forEach(weft::spawn);
            receiver.join();
            return System.nanoTime() - start;
        }

        @Override
        public void close() {
            weft.close();
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    static Behavior<Integer> counter(long n, CompletableFuture<Void> done) {
        return Behaviors.setup(ctx -> {
            long[] got = {0};
            return Behaviors.receiveMessage(m -> {
                if (++got[0] == n) {
                    done.complete(null);
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        });
    }

    static final class PekkoTrial implements Trial {
        private final Pekko pekko = new Pekko();

        @Override
        public long run(long n) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Integer> receiver = pekko.spawn(counter(n, done));
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(Thread.ofVirtual().start(() -> {
                    for (long j = 0; j < n / SENDERS; j++) {
                        receiver.tell(MESSAGE);
                    }
                }));
            }
            done.get();
            for (Thread t : senders) {
                t.join();
            }
            return System.nanoTime() - start;
        }

        @Override
        public void close() throws Exception {
            pekko.close();
        }
    }

    // ---------------------------------------------------------------- plain virtual threads

    static long parkUnpark(long n) throws InterruptedException {
        ParkingMailbox<Integer> mailbox = new ParkingMailbox<>(CAPACITY, 0);
        long start = System.nanoTime();
        Thread receiver = Thread.ofVirtual().start(() -> {
            for (long i = 0; i < n; i++) {
                mailbox.receive();
            }
        });
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(Thread.ofVirtual().start(() -> {
                for (long j = 0; j < n / SENDERS; j++) {
                    mailbox.send(MESSAGE);
                }
            }));
        }
        receiver.join();
        for (Thread t : senders) {
            t.join();
        }
        return System.nanoTime() - start;
    }

    static long arrayBlockingQueue(long n) throws InterruptedException {
        ArrayBlockingQueue<Integer> queue = new ArrayBlockingQueue<>(CAPACITY);
        long start = System.nanoTime();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                for (long i = 0; i < n; i++) {
                    queue.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(Thread.ofVirtual().start(() -> {
                try {
                    for (long j = 0; j < n / SENDERS; j++) {
                        queue.put(MESSAGE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        receiver.join();
        for (Thread t : senders) {
            t.join();
        }
        return System.nanoTime() - start;
    }
}
