package dev.weft.bench.remote;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Remote ping-pong and remote fan-in between two JVMs on loopback: Weft's cluster links (gRPC) against
 * Pekko classic actors on Artery TCP. This JVM is the client; it starts the server JVM itself.
 *
 * <pre>
 * java -cp bench/target/weft-bench.jar dev.weft.bench.remote.RemoteBench PEER CASE N [SENDERS] [ETCD]
 *   PEER    weft | pekko
 *   CASE    ping-pong (N round trips, one at a time) | fan-in (SENDERS senders, N messages in all)
 *   ETCD    the etcd endpoint Weft's registry uses (default http://127.0.0.1:2379)
 * </pre>
 * Both peers send 16-byte messages as byte arrays and keep at most {@link #WINDOW} unacknowledged
 * messages per sender in fan-in (Weft by its link credit, Pekko by an ack every WINDOW / 2 messages,
 * since Artery drops what overflows its send queue).
 */
public final class RemoteBench {
    static final int WINDOW = 1024;
    static final int SIZE = 16;

    private RemoteBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            serve(args);
            return;
        }
        String peer = args[0];
        String bench = args[1];
        long n = Long.parseLong(args[2]);
        int senders = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        String etcd = args.length > 4 ? args[4] : "http://127.0.0.1:2379";
        Process server = startServer(peer, senders, etcd);
        try {
            String ready = readLine(server, "ready");
            Peer client = peer.equals("weft") ? new WeftPeer(etcd, ready) : new PekkoPeer(ready);
            try (client) {
                if (bench.equals("ping-pong")) {
                    client.pingPong(Math.min(n, 10_000)); // warm-up
                    Histogram rtt = new Histogram(3_600_000_000_000L, 3);
                    long t0 = System.nanoTime();
                    client.pingPong(n, rtt);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%s ping-pong: %,d round trips in %.2f s = %,.0f round trips/s; RTT p50 %.1f us, p99 %.1f us%n",
                            peer, n, secs, n / secs, rtt.getValueAtPercentile(50) / 1e3,
                            rtt.getValueAtPercentile(99) / 1e3);
                } else {
                    client.fanIn(Math.min(n, 100_000), senders); // warm-up
                    long t0 = System.nanoTime();
                    client.fanIn(n, senders);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%s fan-in %d->1: %,d messages in %.2f s = %,.0f messages/s%n",
                            peer, senders, n, secs, n / secs);
                }
            }
        } finally {
            server.destroyForcibly();
        }
    }

    /** The client side of one peer. */
    interface Peer extends AutoCloseable {
        default void pingPong(long n) throws Exception {
            pingPong(n, null);
        }

        /** N round trips, one at a time; each round trip's time into {@code rtt} if given. */
        void pingPong(long n, Histogram rtt) throws Exception;

        /** {@code n} messages from {@code senders} concurrent senders, until the server has them all. */
        void fanIn(long n, int senders) throws Exception;
    }

    private static void serve(String[] args) throws Exception {
        if (args[1].equals("weft")) {
            WeftPeer.serve(args[2]);
        } else {
            PekkoPeer.serve();
        }
    }

    private static Process startServer(String peer, int senders, String etcd) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                RemoteBench.class.getName(), "server", peer, etcd));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readLine(Process p, String prefix) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        throw new IllegalStateException("the server ended before it was ready");
    }

    static byte[] message(long i) {
        byte[] m = new byte[SIZE];
        for (int b = 0; b < 8; b++) {
            m[b] = (byte) (i >>> (8 * b));
        }
        return m;
    }
}
