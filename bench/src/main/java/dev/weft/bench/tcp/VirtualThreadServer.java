package dev.weft.bench.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The plain way: a virtual thread per connection on blocking sockets, parked by the JDK's own poller. */
final class VirtualThreadServer implements Server {
    private final ServerSocket listener = new ServerSocket();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Protocol protocol;
    private final Thread acceptor;

    VirtualThreadServer(Protocol protocol) throws IOException {
        this.protocol = protocol;
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        byte[] buffer = new byte[16 * 1024];
        Protocol.RequestCounter requests = new Protocol.RequestCounter();
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (protocol == Protocol.ECHO) {
                    out.write(buffer, 0, n);
                } else {
                    for (int r = requests.count(buffer, 0, n); r > 0; r--) {
                        out.write(Protocol.HTTP_RESPONSE);
                    }
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(socket);
        }
    }

    @Override
    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
        acceptor.join();
    }
}
