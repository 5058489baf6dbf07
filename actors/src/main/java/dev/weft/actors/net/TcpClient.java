package dev.weft.actors.net;

import static java.nio.channels.SelectionKey.OP_CONNECT;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.io.ChannelHandle;
import dev.weft.runtime.io.Readiness;
import dev.weft.runtime.io.SelectorService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * Connects to a TCP server without blocking a thread, then serves the connection with a
 * {@link SocketAdapter} child whose boxes are this component's: chunks sent to {@link #inbox} are
 * written, chunks read come out of {@link #outbox}, and the adapter's {@code ProducerFinished} comes
 * out of {@link #signal}.
 *
 * <p>The client ends as its adapter ends, with the same cause; a failed connect fails the client with
 * the {@link java.net.ConnectException}. {@link ProducerFinished} on {@link #control} tells the
 * adapter that its input is finished; {@link Shutdown} closes the connection. Chunks may be sent to
 * {@link #inbox} before the connection is up: they wait (bounded) in the adapter's inbox.
 *
 * <p>Made with a {@link Tls} client configuration, the client speaks TLS: its boxes carry plaintext,
 * the handshake starts once connected (chunks sent before it completes wait for it), and a failed
 * handshake fails the client with an {@link java.io.IOException} whose cause is the
 * {@link javax.net.ssl.SSLException} that names the server and the reason.
 */
public final class TcpClient extends Component {
    /** Chunks to write to the server. */
    public final Inbox<byte[]> inbox = inbox(byte[].class);
    /** Chunks read from the server. */
    public final Outbox<byte[]> outbox = outbox(byte[].class);
    private final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 2);
    private final InetSocketAddress target;
    private final SocketChannel channel;
    private final SocketAdapter adapter;

    /**
     * Prepares a connection to {@code target}; connecting starts when the client is spawned.
     *
     * @throws IOException if no socket can be opened
     */
    public TcpClient(InetSocketAddress target) throws IOException {
        this(target, null);
    }

    /**
     * Prepares a connection to {@code target} that speaks TLS as {@code tls} says (null for plain
     * TCP); the client checks that the server's certificate names {@code target}'s host.
     *
     * @throws IOException if no socket can be opened
     * @throws IllegalArgumentException if {@code tls} is a server configuration
     */
    public TcpClient(InetSocketAddress target, Tls tls) throws IOException {
        super("tcp-client->" + target);
        this.target = Objects.requireNonNull(target, "target");
        if (tls != null && tls.isServer()) {
            throw new IllegalArgumentException("a TcpClient needs a client TLS configuration (Tls.client()), got " + tls);
        }
        this.channel = SocketChannel.open();
        this.adapter = new SocketAdapter(channel, tls, target);
        inbox.passThrough(adapter.inbox);
        adapter.outbox.passThrough(outbox);
        adapter.signal.passThrough(signal);
    }

    /** Returns the adapter that serves the connection (spawned once connected). */
    public SocketAdapter adapter() {
        return adapter;
    }

    @Override
    protected void run() throws Exception {
        SelectorService selector = SelectorService.of(runtime());
        ChannelHandle handle;
        try {
            handle = selector.register(channel, readiness);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        try {
            if (!connect(handle)) {
                handle.close();
                return;
            }
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | RuntimeException | InterruptedException e) {
            handle.close();
            if (PeerGone.test(e)) {
                failureLogLevel(System.Logger.Level.DEBUG);   // refused: an ordinary end, not a warning
            }
            throw e;
        }
        selector.transfer(handle, adapter.readiness());
        adapter.adopt(handle);
        spawn(adapter);
        for (;;) {
            Signal signal = control.receive();
            if (signal instanceof Terminated t && t.component() == adapter) {
                if (t.failed()) {
                    failureLogLevel(adapter.failureLogLevel());   // as ordinary as the adapter's end
                    throw new IOException("connection to " + target + " failed", t.cause());
                }
                return;
            }
            if (signal instanceof Shutdown) {
                adapter.shutdown();
            } else if (signal instanceof ProducerFinished) {
                adapter.control.send(signal);
            }
        }
    }

    /** Connects through the selector; returns false if shut down first. */
    private boolean connect(ChannelHandle handle) throws IOException, InterruptedException {
        if (channel.connect(target)) {
            return true;
        }
        handle.arm(OP_CONNECT);
        for (;;) {
            Inbox<?> ready = select(readiness, control);
            if (ready == control) {
                if (control.poll() instanceof Shutdown) {
                    return false;
                }
            } else {
                readiness.poll().ops();
                if (channel.finishConnect()) {
                    return true;
                }
                handle.arm(OP_CONNECT);
            }
        }
    }
}
