package dev.weft.actors.net;

import static java.nio.channels.SelectionKey.OP_ACCEPT;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.UnlinkedPolicy;
import dev.weft.runtime.io.ChannelHandle;
import dev.weft.runtime.io.Readiness;
import dev.weft.runtime.io.SelectorService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Listens for TCP connections and gives each one its own {@link SocketAdapter}, a child of the server.
 *
 * <pre>{@code
 * TcpServer echo = weft.spawn(new TcpServer(7007, adapter -> {
 *     adapter.outbox.linkTo(adapter.inbox);
 *     adapter.signal.linkTo(adapter.control);
 * }));
 * }</pre>
 *
 * <p>For every accepted connection the server creates an adapter, hands it to the {@code wiring}
 * (which links its boxes, spawning any per-connection components it needs) before the adapter
 * starts, spawns it, and announces it on {@link #connections}. Every adapter that ends is announced on
 * {@link #disconnections} with its {@link Terminated}. Both outboxes drop announcements while unlinked.
 * Accepting goes through the {@link SelectorService}: the server accepts until the queue is empty
 * before it waits, looking at its control inbox every {@value #ACCEPTS_PER_READINESS} connections so
 * that a burst of connections cannot starve it. A connection
 * whose wiring fails is closed and logged; the server carries on.
 *
 * <p>{@link TcpServerOptions} add TLS (every adapter then carries plaintext on its boxes and TLS on
 * its socket; see {@link SocketAdapter}) and a cap on open connections: a connection accepted beyond
 * it is closed at once, before any wiring, and counted in {@code weft.tcp.refused}; the server logs
 * one warning each time it reaches the cap. {@code weft.tcp.connections} is the number open. Both
 * meters are tagged with {@code server}, the listening address.
 *
 * <p>On {@link Shutdown} the server stops listening, shuts down its adapters and finishes when they
 * have all ended.
 */
public final class TcpServer extends Component {
    static final int ACCEPTS_PER_READINESS = 64;
    private static final System.Logger LOG = System.getLogger(TcpServer.class.getName());

    /** Each new connection's adapter, once spawned. */
    public final Outbox<SocketAdapter> connections =
            outbox("connections", SocketAdapter.class, UnlinkedPolicy.DISCARD);
    /** How each connection ended. */
    public final Outbox<Terminated> disconnections =
            outbox("disconnections", Terminated.class, UnlinkedPolicy.DISCARD);
    private final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
    private final ServerSocketChannel listener;
    private final TcpServerOptions options;
    private final Consumer<SocketAdapter> wiring;
    private final Set<SocketAdapter> live = new HashSet<>();
    private volatile int liveCount;
    private Counter refused;
    /** Whether the server is at its cap and has said so; set again once it falls below. */
    private boolean warnedFull;

    /** Listens on the loopback interface; port 0 picks a free port (see {@link #port()}). */
    public TcpServer(int port, Consumer<SocketAdapter> wiring) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), wiring);
    }

    /**
     * Listens on {@code address} at once (so {@link #port()} is known before the server is spawned),
     * with the {@linkplain TcpServerOptions#defaults() default options}.
     *
     * @throws IOException if the address cannot be bound
     */
    public TcpServer(InetSocketAddress address, Consumer<SocketAdapter> wiring) throws IOException {
        this(address, TcpServerOptions.defaults(), wiring);
    }

    /**
     * Listens on {@code address} at once, with TLS and a connection cap as {@code options} say.
     *
     * @throws IOException if the address cannot be bound
     */
    public TcpServer(InetSocketAddress address, TcpServerOptions options, Consumer<SocketAdapter> wiring)
            throws IOException {
        super("tcp-server");
        this.options = Objects.requireNonNull(options, "options");
        this.wiring = Objects.requireNonNull(wiring, "wiring");
        this.listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, 1024);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }

    /** Returns the address the server listens on. */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the server is closed", e);
        }
    }

    /** Returns the port the server listens on. */
    public int port() {
        return localAddress().getPort();
    }

    /** Returns how many connections are open now. */
    public int connectionCount() {
        return liveCount;
    }

    /** Returns the options the server was made with. */
    public TcpServerOptions options() {
        return options;
    }

    /** Returns how many connections the server has closed at once because it was at its cap. */
    public long refusedCount() {
        Counter c = refused;
        return c == null ? 0 : (long) c.count();
    }

    @Override
    protected void run() throws Exception {
        ChannelHandle handle;
        try {
            handle = SelectorService.of(runtime()).register(listener, readiness);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        MeterRegistry meters = runtime().meterRegistry();
        String server = localAddress().getAddress().getHostAddress() + ":" + localAddress().getPort();
        refused = Counter.builder("weft.tcp.refused")
                .description("Connections a TCP server closed at once because it had maxConnections open")
                .tag("server", server).register(meters);
        Gauge open = Gauge.builder("weft.tcp.connections", this, TcpServer::connectionCount)
                .description("Connections a TCP server has open").tag("server", server).register(meters);
        try {
            boolean acceptable = true;                 // accept before waiting: connections may be queued
            for (;;) {
                if (acceptable) {
                    acceptable = acceptSome(handle);
                }
                Inbox<?> ready = acceptable ? (control.isEmpty() ? null : control) : select(readiness, control);
                if (ready == readiness) {
                    readiness.poll().ops();
                    acceptable = true;
                } else if (ready == control && !onSignal(control.poll())) {
                    return;
                }
            }
        } finally {
            handle.close();
            closeConnections();
            meters.remove(refused);
            meters.remove(open);
        }
    }

    /**
     * Accepts up to {@value #ACCEPTS_PER_READINESS} connections. Returns true if there may be more
     * (the server looks at its control inbox, then accepts again without waiting), false once the
     * queue is empty and the listener is armed again.
     */
    private boolean acceptSome(ChannelHandle handle) throws InterruptedException {
        for (int i = 0; i < ACCEPTS_PER_READINESS; i++) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "accept failed on " + localAddress() + "; will retry", e);
                channel = null;
            }
            if (channel == null) {
                handle.arm(OP_ACCEPT);
                return false;
            }
            if (live.size() >= options.maxConnections()) {
                refuse(channel);
                continue;
            }
            SocketAdapter adapter;
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                adapter = new SocketAdapter(channel, options.tls(), (InetSocketAddress) channel.getRemoteAddress());
                wiring.accept(adapter);
                spawn(adapter);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not set up the connection from " + remote(channel) + "; closed it", e);
                closeQuietly(channel);
                continue;
            }
            live.add(adapter);
            liveCount = live.size();
            announce(connections, adapter);
        }
        return true;
    }

    /** Closes a connection accepted beyond the cap, before anything is spent on it. */
    private void refuse(SocketChannel channel) {
        refused.increment();
        if (!warnedFull) {
            warnedFull = true;
            LOG.log(Level.WARNING, "the TCP server on " + localAddress() + " has " + live.size()
                    + " connections open, its limit (maxConnections); it closes new ones at once until some end");
        }
        closeQuietly(channel);
    }

    /** Returns false on Shutdown. */
    private boolean onSignal(Signal signal) throws InterruptedException {
        if (signal instanceof Shutdown) {
            return false;
        }
        if (signal instanceof Terminated t && live.remove(t.component())) {
            liveCount = live.size();
            if (live.size() < options.maxConnections()) {
                warnedFull = false;
            }
            announce(disconnections, t);
        }
        return true;
    }

    /** Announces to whoever listens; a listener that has ended is no longer told. */
    private static <T> void announce(Outbox<T> outbox, T news) throws InterruptedException {
        try {
            outbox.send(news);
        } catch (InboxClosedException listenerEnded) {
            outbox.unlink();
        }
    }

    private void closeConnections() throws InterruptedException {
        for (SocketAdapter adapter : live) {
            adapter.shutdown();
        }
        while (!live.isEmpty()) {
            onSignal(control.receive());
        }
    }

    private static String remote(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a refused connection failed", e);
        }
    }
}
