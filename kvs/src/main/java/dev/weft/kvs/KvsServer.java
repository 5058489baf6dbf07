package dev.weft.kvs;

import dev.weft.actors.net.SocketAdapter;
import dev.weft.actors.net.TcpServer;
import dev.weft.actors.net.TcpServerOptions;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The KVS over TCP: a {@link TcpServer} whose every connection gets a protocol component that decodes
 * request frames, calls the store, and encodes replies and watch events (protocol in docs/kvs.md).
 *
 * <pre>{@code
 * Kvs kvs = KvsService.lookupOrStart(weft, KvsOptions.durable(dir));
 * KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(7100).withToken(secret));
 * }</pre>
 *
 * <p>A connection that sends a malformed or oversized frame, or the wrong token, or no token in time,
 * gets an error frame and is closed; no other connection notices. Beyond loopback a server without a
 * token serves only clients on its own host (protected mode), and one without TLS takes no token
 * from another host, unless it is {@linkplain KvsServerOptions#insecure() insecure}; it logs one
 * warning at start that says which (docs/security.md). The server ends when the runtime closes or on
 * {@link #close()}; the store stays open (it belongs to the caller).
 */
public final class KvsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KvsServer.class.getName());
    private final TcpServer tcp;

    private KvsServer(TcpServer tcp) {
        this.tcp = tcp;
    }

    /**
     * Binds {@code options.address()} and starts serving {@code kvs} in {@code weft}.
     *
     * @throws IOException if the address cannot be bound
     * @throws IllegalArgumentException if a user of {@code options} has the store owner's name
     */
    public static KvsServer start(Weft weft, Kvs kvs, KvsServerOptions options) throws IOException {
        if (options.users().containsKey(kvs.options().owner())) {
            throw new IllegalArgumentException("user '" + kvs.options().owner() + "' is the store's owner; give the"
                    + " owner the server's token (withToken) instead");
        }
        KvsAdmission admission = new KvsAdmission(options);
        TcpServerOptions tcpOptions = TcpServerOptions.defaults().withTls(options.tls())
                .withMaxConnections(options.maxConnections());
        TcpServer tcp = new TcpServer(options.address(), tcpOptions,
                adapter -> serve(weft, kvs, options, admission, peer(adapter), adapter));
        String warning = admission.startWarning(tcp.localAddress());
        if (warning != null) {
            LOG.log(Level.WARNING, warning);
        }
        weft.spawn(tcp);
        return new KvsServer(tcp);
    }

    /**
     * Gives the connection of {@code adapter}, whose peer is at {@code peer}, a protocol component.
     * Before the adapter is spawned (the server's wiring).
     */
    static KvsConnection serve(Weft weft, Kvs kvs, KvsServerOptions options, KvsAdmission admission, InetAddress peer,
            SocketAdapter adapter) {
        KvsConnection connection = new KvsConnection(kvs, options, admission, peer, adapter);
        adapter.outbox.linkTo(connection.chunks);
        adapter.signal.linkTo(connection.control);
        connection.outbox.linkTo(adapter.inbox);
        return weft.spawn(connection);
    }

    private static InetAddress peer(SocketAdapter adapter) {
        try {
            return ((InetSocketAddress) adapter.channel().getRemoteAddress()).getAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("the connection closed before it was served", e);
        }
    }

    /** Returns the address the server listens on. */
    public InetSocketAddress address() {
        return tcp.localAddress();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return tcp.port();
    }

    /** Returns the TCP server component (to join it, or to count connections). */
    public TcpServer tcpServer() {
        return tcp;
    }

    /** Stops listening and closes every connection; waits until they are closed. */
    @Override
    public void close() throws InterruptedException {
        tcp.shutdown();
        tcp.join();
    }
}
