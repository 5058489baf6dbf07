package dev.weft.jpmscheck;

import dev.weft.actors.net.TcpServer;
import dev.weft.inspect.InspectServer;
import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsServer;
import dev.weft.kvs.KvsServerOptions;
import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Uses Weft the way a modular application does, and fails (non-zero exit) if the module graph is
 * wrong: each Weft module must be a named module with a descriptor; messages cross an inbox (a
 * JCTools queue, which an automatic module did not pull in: {@code NoClassDefFoundError}); the KVS
 * serves a client over TCP (kvs, actors' TCP components, the selector service); the inspector
 * serves {@code /api/graph} (Jackson) and the page's Cytoscape.js (a WebJar on the module path).
 */
public final class JpmsCheck {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MESSAGES = 1_000;

    private JpmsCheck() {
    }

    public static void main(String[] args) throws Exception {
        for (Class<?> c : List.of(Weft.class, TcpServer.class, Kvs.class, InspectServer.class)) {
            Module m = c.getModule();
            check(m.isNamed() && !m.getDescriptor().isAutomatic(), m + " is not a named module with a descriptor");
        }
        try (Weft weft = Weft.start()) {
            messagesCrossAnInbox(weft);
            kvsServesAClientOverTcp(weft);
            inspectorServesTheGraphAndThePage(weft);
        }
        System.out.println("jpms-check: Weft runs on the module path (" + Weft.class.getModule().getDescriptor().toNameAndVersion() + ")");
    }

    private static void messagesCrossAnInbox(Weft weft) throws Exception {
        Numbers numbers = new Numbers();
        Sum sum = new Sum();
        weft.link(numbers.outbox, sum.inbox);
        weft.link(numbers.signal, sum.control);
        weft.spawn(sum);
        weft.spawn(numbers);
        Terminated end = sum.join(WAIT);
        check(end.state() == ComponentState.FINISHED, "the summing component ended " + end);
        check(sum.total == (long) MESSAGES * (MESSAGES + 1) / 2, "sum of 1.." + MESSAGES + " was " + sum.total);
    }

    private static void kvsServesAClientOverTcp(Weft weft) throws Exception {
        try (Kvs kvs = Kvs.inMemory();
             KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
             KvsClient client = KvsClient.connect(server.address())) {
            client.primary().put("jpms.check", "ok");
            check("ok".equals(kvs.primary().getString("jpms.check")), "the KVS did not keep a put over TCP");
        }
    }

    private static void inspectorServesTheGraphAndThePage(Weft weft) throws Exception {
        InspectServer inspector = InspectServer.start(weft, InspectServer.loopback(0));
        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        for (String path : List.of("/api/graph", "/lib/cytoscape.min.js")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(inspector.uri() + path.substring(1))).timeout(WAIT).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            check(response.statusCode() == 200, "GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        inspector.shutdown();
        inspector.join(WAIT);
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError("jpms-check: " + failure);
        }
    }

    /** Sends 1..MESSAGES, then says it has finished. */
    static final class Numbers extends Component {
        final Outbox<Integer> outbox = outbox(Integer.class);

        @Override
        protected void run() throws InterruptedException {
            for (int i = 1; i <= MESSAGES; i++) {
                outbox.send(i);
            }
            signal.send(new ProducerFinished(this));
        }
    }

    /** Adds what it receives until its producer has finished. */
    static final class Sum extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        long total;

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, control);
                for (Integer n; (n = inbox.poll()) != null; ) {
                    total += n;
                }
                if (ready == control) {
                    return;
                }
            }
        }
    }
}
