package dev.weft.kvs;

import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import java.io.IOException;
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
 * <p>A connection that sends a malformed or oversized frame, or the wrong token, gets an error frame
 * and is closed; no other connection notices. The server ends when the runtime closes or on
 * {@link #close()}; the store stays open (it belongs to the caller).
 */
public final class KvsServer implements AutoCloseable {
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
        TcpServer tcp = new TcpServer(options.address(), adapter -> {
            KvsConnection connection = new KvsConnection(kvs, options, adapter);
            adapter.outbox.linkTo(connection.chunks);
            adapter.signal().linkTo(connection.control());
            connection.outbox.linkTo(adapter.inbox);
            weft.spawn(connection);
        });
        weft.spawn(tcp);
        return new KvsServer(tcp);
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
