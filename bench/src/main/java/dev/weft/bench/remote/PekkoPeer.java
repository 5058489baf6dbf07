package dev.weft.bench.remote;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

/**
 * Pekko's side of {@link RemoteBench}: classic actors on Artery TCP remoting, byte arrays through
 * Pekko's built-in byte-array serializer. Fan-in senders keep a window of {@link RemoteBench#WINDOW}
 * messages (the sink acks every half window), as Artery drops what overflows its send queue.
 */
final class PekkoPeer implements RemoteBench.Peer {
    private static final byte[] ACK = new byte[1];
    private static final byte[] DONE = new byte[0];
    private final ActorSystem system;
    private final ActorRef echo;
    private final ActorRef sink;

    PekkoPeer(String port) throws Exception {
        system = ActorSystem.create("client", config(0));
        String at = "pekko://bench@127.0.0.1:" + port + "/user/";
        echo = system.actorSelection(at + "echo").resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get();
        sink = system.actorSelection(at + "sink").resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get();
    }

    static Config config(int port) {
        return ConfigFactory.parseString("""
                pekko.actor.provider = remote
                pekko.remote.artery.transport = tcp
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = %d
                pekko.loglevel = WARNING
                """.formatted(port)).withFallback(ConfigFactory.load());
    }

    static void serve() throws Exception {
        ActorSystem system = ActorSystem.create("bench", config(0));
        system.actorOf(Props.create(Echo.class), "echo");
        system.actorOf(Props.create(SinkActor.class), "sink");
        int port = (Integer) system.provider().getDefaultAddress().port().get();
        System.out.println("ready " + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    @Override
    public void pingPong(long n, Histogram rtt) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        system.actorOf(Props.create(Pinger.class, () -> new Pinger(echo, n, rtt, done)));
        done.await();
    }

    @Override
    public void fanIn(long n, int senders) throws Exception {
        CountDownLatch done = new CountDownLatch(senders);
        for (int s = 0; s < senders; s++) {
            long share = n / senders + (s < n % senders ? 1 : 0);
            system.actorOf(Props.create(Sender.class, () -> new Sender(sink, share, done)));
        }
        done.await();
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
    }

    static final class Echo extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, m -> getSender().tell(m, getSelf())).build();
        }
    }

    /** Counts each sender's messages, acks every half window, and answers a sender's DONE. */
    static final class SinkActor extends AbstractActor {
        private final Map<ActorRef, Long> counts = new HashMap<>();

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, m -> {
                if (m.length == 0) {
                    counts.remove(getSender());
                    getSender().tell(DONE, getSelf());
                    return;
                }
                long c = counts.merge(getSender(), 1L, Long::sum);
                if (c % (RemoteBench.WINDOW / 2) == 0) {
                    getSender().tell(ACK, getSelf());
                }
            }).build();
        }
    }

    static final class Pinger extends AbstractActor {
        private final ActorRef echo;
        private final long n;
        private final Histogram rtt;
        private final CountDownLatch done;
        private long i;
        private long t0;

        Pinger(ActorRef echo, long n, Histogram rtt, CountDownLatch done) {
            this.echo = echo;
            this.n = n;
            this.rtt = rtt;
            this.done = done;
        }

        @Override
        public void preStart() {
            next();
        }

        private void next() {
            t0 = System.nanoTime();
            echo.tell(RemoteBench.message(i), getSelf());
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, m -> {
                if (rtt != null) {
                    rtt.recordValue(System.nanoTime() - t0);
                }
                if (++i == n) {
                    done.countDown();
                    getContext().stop(getSelf());
                } else {
                    next();
                }
            }).build();
        }
    }

    static final class Sender extends AbstractActor {
        private final ActorRef sink;
        private final long share;
        private final CountDownLatch done;
        private long sent;
        private long acked;

        Sender(ActorRef sink, long share, CountDownLatch done) {
            this.sink = sink;
            this.share = share;
            this.done = done;
        }

        @Override
        public void preStart() {
            fill();
        }

        private void fill() {
            while (sent < share && sent - acked < RemoteBench.WINDOW) {
                sink.tell(RemoteBench.message(sent++), getSelf());
            }
            if (sent == share && sent - acked < RemoteBench.WINDOW) {
                sink.tell(DONE, getSelf());
                sent++; // DONE goes once
            }
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(byte[].class, m -> {
                if (m.length == 0) {
                    done.countDown();
                    getContext().stop(getSelf());
                } else {
                    acked += RemoteBench.WINDOW / 2;
                    fill();
                }
            }).build();
        }
    }
}
