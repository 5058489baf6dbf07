package dev.weft.kvs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of {@link EventlogCrashTest} that follows an eventlog on a Weft KVS server: on each
 * {@code connect <port>} line of its standard input it connects to that port and watches the log
 * from the number of events it has seen; it prints {@code event <index> <name>} for each event,
 * {@code ended <reason>} when a watch ends, and {@code gap <expected> <got>} if an index is not the
 * next one. A connection that fails (a loaded machine may time the handshake out) is printed as
 * {@code error <message>} and tried again, up to {@value #ATTEMPTS} times, so the test's transcript
 * says why a follower fell silent instead of the process dying mute. It ends with its standard input.
 */
public final class EventlogFollower {
    private static final int ATTEMPTS = 10;
    private volatile long seen;
    private KvsClient client;
    private CountDownLatch ended = new CountDownLatch(0);

    private EventlogFollower() {
    }

    public static void main(String[] args) throws Exception {
        String key = args[0];
        EventlogFollower follower = new EventlogFollower();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("connect ")) {
                follower.follow(key, Integer.parseInt(line.substring("connect ".length()).trim()));
            }
        }
        Runtime.getRuntime().halt(0);
    }

    /** Drops the last connection once its watch has ended, then watches again from what was seen. */
    private void follow(String key, int port) throws Exception {
        if (client != null) {
            client.close();
            if (!ended.await(30, TimeUnit.SECONDS)) {
                print("stuck the last watch did not end");
            }
        }
        client = connect(port);
        CountDownLatch thisEnded = new CountDownLatch(1);
        ended = thisEnded;
        long from = seen;                       // the last watch's events happened-before its end
        Eventlog.watch(client.primary(), key, from, new Eventlog.Listener() {
            @Override
            public void event(long index, long version, Eventlog.Event event) {
                if (index != seen) {
                    print("gap " + seen + " " + index);
                }
                seen = index + 1;
                print("event " + index + " " + event.name());
            }

            @Override
            public void ended(WatchEvent.Ended end, KvsException error) {
                print("ended " + end.reason() + (error == null ? "" : " " + error.getMessage()));
                thisEnded.countDown();
            }
        });
        print("watching " + port + " from " + from);
    }

    private static KvsClient connect(int port) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return KvsClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException | KvsException e) {
                print("error connecting to " + port + " (attempt " + attempt + "): " + e);
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200L * attempt);   // back off: the machine is busy
            }
        }
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
