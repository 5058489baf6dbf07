package dev.weft.bench.remote;

import dev.weft.cluster.Cluster;
import dev.weft.cluster.ClusterOptions;
import dev.weft.cluster.Codec;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;

/** Weft's side of {@link RemoteBench}: components linked across runtimes by the cluster module. */
final class WeftPeer implements RemoteBench.Peer {
    static final ServiceKey<byte[]> ECHO = ServiceKey.of("bench.echo", byte[].class);
    static final ServiceKey<byte[]> SINK = ServiceKey.of("bench.sink", byte[].class);
    static final ServiceKey<byte[]> REPLY = ServiceKey.of("bench.reply", byte[].class);
    static final String PREFIX = "weft-bench/" + ProcessHandle.current().pid() + "/";

    private final Weft weft;
    private final Cluster cluster;
    private final Driver driver;

    WeftPeer(String etcd, String prefix) throws Exception {
        weft = Weft.start();
        cluster = Cluster.join(weft, ClusterOptions.of("bench-client", etcd).withPrefix(prefix)
                .withWindow(RemoteBench.WINDOW));
        driver = weft.spawn(new Driver(cluster));
        cluster.share(REPLY, Codec.bytes());
        weft.services().register(REPLY, driver.replies);
    }

    static void serve(String etcd) throws Exception {
        Weft weft = Weft.start();
        Cluster cluster = Cluster.join(weft, ClusterOptions.of("bench-server", etcd).withPrefix(PREFIX)
                .withWindow(RemoteBench.WINDOW));
        Echo echo = weft.spawn(new Echo(cluster, false));
        Echo sink = weft.spawn(new Echo(cluster, true));
        cluster.share(ECHO, Codec.bytes());
        cluster.share(SINK, Codec.bytes());
        weft.services().register(ECHO, echo.in);
        weft.services().register(SINK, sink.in);
        System.out.println("ready " + PREFIX);
        System.out.flush();
        Thread.currentThread().join(); // until the client kills this JVM
    }

    @Override
    public void pingPong(long n, Histogram rtt) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        driver.commands.send(new Ping(n, rtt, done));
        done.await();
    }

    @Override
    public void fanIn(long n, int senders) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        driver.commands.send(new FanIn(n, senders, done));
        done.await();
    }

    @Override
    public void close() {
        cluster.close();
        weft.close();
    }

    record Ping(long n, Histogram rtt, CountDownLatch done) {
    }

    record FanIn(long n, int senders, CountDownLatch done) {
    }

    /** Echoes every message to the client's reply inbox; as the fan-in sink, answers only the empty "done" ones. */
    static final class Echo extends Component {
        final Inbox<byte[]> in = inbox("in", byte[].class, RemoteBench.WINDOW);
        private final Cluster cluster;
        private final boolean sink;

        Echo(Cluster cluster, boolean sink) {
            this.cluster = cluster;
            this.sink = sink;
        }

        @Override
        protected void run() throws InterruptedException {
            Sink<byte[]> reply = null;
            while (true) {
                byte[] m = in.receive();
                if (!sink || m.length == 0) {
                    if (reply == null) {
                        cluster.share(REPLY, Codec.bytes());
                        reply = runtime().services().lookup(REPLY);
                    }
                    reply.send(m);
                }
            }
        }
    }

    /** Runs the client's side of each case, on the component that owns the reply inbox. */
    static final class Driver extends Component {
        final Inbox<byte[]> replies = inbox("replies", byte[].class, RemoteBench.WINDOW);
        final Inbox<Object> commands = inbox("commands", Object.class);
        private final Cluster cluster;

        Driver(Cluster cluster) {
            this.cluster = cluster;
        }

        @Override
        protected void run() throws InterruptedException {
            cluster.share(ECHO, Codec.bytes());
            Sink<byte[]> echo = runtime().services().lookup(ECHO);
            while (true) {
                switch (commands.receive()) {
                    case Ping p -> {
                        for (long i = 0; i < p.n(); i++) {
                            long t0 = System.nanoTime();
                            echo.send(RemoteBench.message(i));
                            replies.receive();
                            if (p.rtt() != null) {
                                p.rtt().recordValue(System.nanoTime() - t0);
                            }
                        }
                        p.done().countDown();
                    }
                    case FanIn f -> {
                        for (int s = 0; s < f.senders(); s++) {
                            long share = f.n() / f.senders() + (s < f.n() % f.senders() ? 1 : 0);
                            // a link of its own per sender, as Pekko's senders each have theirs
                            Sink<byte[]> link = cluster.connect(cluster.locate(SINK), Codec.bytes());
                            Thread.ofVirtual().start(() -> {
                                try {
                                    for (long i = 0; i < share; i++) {
                                        link.send(RemoteBench.message(i));
                                    }
                                    link.send(new byte[0]);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                        }
                        for (int s = 0; s < f.senders(); s++) {
                            replies.receive();
                        }
                        f.done().countDown();
                    }
                    default -> throw new IllegalArgumentException("unknown command");
                }
            }
        }
    }
}
