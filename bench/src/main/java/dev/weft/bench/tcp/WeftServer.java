package dev.weft.bench.tcp;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import dev.weft.runtime.io.SelectorService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Weft's {@link TcpServer} over the selector service, with the backend the JVM was started with
 * ({@code -Dweft.selector.backend}). Echo: each adapter's outbox is linked to its own inbox. HTTP: each
 * connection gets a {@link Hello} component between the adapter's outbox and inbox.
 */
final class WeftServer implements Server {
    private final Weft weft = Weft.start();
    private final TcpServer server;

    /**
     * Answers every complete request in the bytes it receives with the fixed response. It answers
     * on the socket adapter's thread as the adapter reads ({@link Inbox#takeInline}) whenever nothing
     * is ahead of the chunk, so a request costs no hand-off; on its own thread otherwise.
     */
    static final class Hello extends Component {
        final Inbox<byte[]> inbox = inbox(byte[].class);
        final Outbox<byte[]> outbox = outbox(byte[].class);
        /** Wakes the component when the inline path owes responses the adapter had no room for. */
        private final Inbox<Boolean> owing = unboundedInbox("owing", Boolean.class);
        /** Held by whoever handles input: the component's thread, or the adapter's inline. */
        private final ReentrantLock turn = new ReentrantLock();
        private final Protocol.RequestCounter requests = new Protocol.RequestCounter();
        /** Responses the inline path could not send; guarded by turn. */
        private int owed;

        Hello() {
            inbox.takeInline(this::answerInline);
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, owing, control) == control) {
                    return;
                }
                turn.lock();
                try {
                    owing.poll();
                    for (; owed > 0; owed--) {
                        outbox.send(Protocol.HTTP_RESPONSE);
                    }
                    for (byte[] chunk; (chunk = inbox.poll()) != null; ) {
                        for (int r = requests.count(chunk, 0, chunk.length); r > 0; r--) {
                            outbox.send(Protocol.HTTP_RESPONSE);     // read-only: the adapter only writes it
                        }
                    }
                } finally {
                    turn.unlock();
                }
            }
        }

        /** On the adapter's thread: answers {@code chunk} now unless something is ahead of it. */
        private boolean answerInline(byte[] chunk) {
            if (!turn.tryLock()) {
                return false;
            }
            try {
                if (owed > 0 || !inbox.isEmpty()) {
                    return false;
                }
                int r = requests.count(chunk, 0, chunk.length);
                try {
                    while (r > 0 && outbox.trySend(Protocol.HTTP_RESPONSE)) {
                        r--;
                    }
                } catch (InboxClosedException adapterEnded) {
                    return true;                // the connection is gone: nobody to answer
                }
                if (r > 0) {
                    owed = r;
                    owing.trySend(Boolean.TRUE);
                }
                return true;
            } finally {
                turn.unlock();
            }
        }
    }

    WeftServer(Protocol protocol) throws Exception {
        server = weft.spawn(new TcpServer(0, adapter -> wire(adapter, protocol)));
        SelectorService.of(weft);
    }

    private void wire(SocketAdapter adapter, Protocol protocol) {
        adapter.signal.linkTo(adapter.control);
        if (protocol == Protocol.ECHO) {
            adapter.outbox.linkTo(adapter.inbox);
            return;
        }
        Hello hello = new Hello();
        adapter.outbox.linkTo(hello.inbox);
        hello.outbox.linkTo(adapter.inbox);
        adapter.signal.linkTo(hello.control);
        hello.signal.linkTo(adapter.control);
        weft.spawn(hello);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String report() {
        MeterRegistry meters = weft.meterRegistry();
        return String.format(Locale.ROOT, "wakeups=%.0f readiness=%.0f coalesced=%.0f loops=%.0f",
                count(meters, "weft.selector.wakeups"), count(meters, "weft.selector.readiness"),
                count(meters, "weft.selector.coalesced"), count(meters, "weft.selector.loops"));
    }

    private static double count(MeterRegistry meters, String name) {
        FunctionCounter c = meters.find(name).functionCounter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        weft.close();
    }
}
