package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A runtime in a child JVM for {@link ClusterProcessTest}, driven by lines on its standard input and
 * answering on its standard output (one line per answer; watch reports come when they happen).
 *
 * <pre>
 * serve S          register a tally for service S        -> served S
 * send S FROM N    send "FROM:0" .. "FROM:N-1" to S        -> sent S
 * tally S          how many arrived, per-sender order kept -> tally S TOTAL ORDERED
 * start S          lookupOrStart S                         -> started S (where it ran), provider S RUNTIME INC
 * watch S          watch S's current provider              -> watching S RUNTIME, later: terminated S RUNTIME INC
 * </pre>
 * Arguments: etcd endpoint, key prefix, runtime name, lease TTL in seconds, link port (0: any).
 */
public final class NodeMain {
    private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        ClusterOptions options = ClusterOptions.of(args[2], args[0]).withPrefix(args[1])
                .withLeaseTtl(Duration.ofSeconds(Long.parseLong(args[3]))).withPort(Integer.parseInt(args[4]));
        try (Weft weft = Weft.start(); Cluster cluster = Cluster.join(weft, options)) {
            Watcher watcher = weft.spawn(new Watcher());
            say("ready " + Long.toHexString(cluster.incarnation()) + " " + cluster.linkAddress().getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                List<String> w = List.of(line.split(" "));
                ServiceKey<String> key = ServiceKey.of(w.get(1), String.class);
                switch (w.get(0)) {
                    case "serve" -> {
                        Tally t = weft.spawn(new Tally(key.name()));
                        TALLIES.put(key.name(), t);
                        cluster.register(key, t.in, Codec.strings());
                        say("served " + key.name());
                    }
                    case "send" -> {
                        Sink<String> sink = cluster.lookup(key, Codec.strings());
                        for (int i = 0; i < Integer.parseInt(w.get(3)); i++) {
                            sink.send(w.get(2) + ":" + i);
                        }
                        say("sent " + key.name());
                    }
                    case "tally" -> {
                        Tally t = TALLIES.get(key.name());
                        say("tally " + key.name() + " " + t.total + " " + t.ordered);
                    }
                    case "start" -> {
                        Sink<String> sink = cluster.lookupOrStart(key, Codec.strings(), wf -> {
                            say("started " + key.name());
                            Tally t = wf.spawn(new Tally(key.name()));
                            TALLIES.put(key.name(), t);
                            return t.in;
                        });
                        say("provider " + key.name() + " " + (sink instanceof RemoteSink<String> r
                                ? r.address().runtime() + " " + Long.toHexString(r.address().incarnation())
                                : cluster.runtime() + " " + Long.toHexString(cluster.incarnation())));
                    }
                    case "watch" -> {
                        RemoteAddress at = cluster.locate(key);
                        cluster.watch(at, watcher);
                        say("watching " + key.name() + " " + at.runtime());
                    }
                    default -> say("error unknown command " + line);
                }
            }
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Counts messages "SENDER:n" and checks that each sender's n count up from 0. */
    static final class Tally extends Component {
        final Inbox<String> in = inbox("in", String.class);
        private final Map<String, Integer> next = new ConcurrentHashMap<>();
        volatile long total;
        volatile boolean ordered = true;

        Tally(String name) {
            super(name);
        }

        @Override
        protected void run() throws InterruptedException {
            while (true) {
                if (select(in, control) == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                    continue;
                }
                String m = in.poll();
                String[] p = m.split(":");
                int n = Integer.parseInt(p[1]);
                if (next.getOrDefault(p[0], 0) != n) {
                    ordered = false;
                }
                next.put(p[0], n + 1);
                total++;
            }
        }
    }

    /** Reports every {@link RemoteTerminated} it is told. */
    static final class Watcher extends Component {
        @Override
        protected void run() throws InterruptedException {
            while (true) {
                Signal s = control.receive();
                if (s instanceof Shutdown) {
                    return;
                }
                if (s instanceof RemoteTerminated t) {
                    say("terminated " + t.address().service() + " " + t.address().runtime() + " "
                            + Long.toHexString(t.address().incarnation()));
                }
            }
        }
    }
}
