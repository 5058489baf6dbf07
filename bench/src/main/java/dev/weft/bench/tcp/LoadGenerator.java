package dev.weft.bench.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load generator in the manner of {@code wrk}: a few platform threads, each with its own selector
 * and its share of the connections; every connection sends one request, waits for the whole response,
 * records the round trip and sends the next (no pipelining).
 */
final class LoadGenerator implements AutoCloseable {
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean stop;

    /** One connection's state, touched by its worker thread only. */
    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer received = ByteBuffer.allocate(4096);
        long sentAt;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final class Worker implements Runnable {
        final Selector selector = Selector.open();
        final List<Connection> connections = new ArrayList<>();
        final Recorder latencies = new Recorder(3);
        final Protocol protocol;
        final byte[] request;
        volatile long completed;
        Thread thread;

        Worker(Protocol protocol) throws IOException {
            this.protocol = protocol;
            this.request = protocol.request();
        }

        @Override
        public void run() {
            try {
                for (Connection c : connections) {
                    c.channel.register(selector, SelectionKey.OP_READ, c);
                    send(c);
                }
                while (!stop) {
                    selector.select(key -> onReadable((Connection) key.attachment()), 100);
                }
            } catch (IOException e) {
                if (!stop) {
                    throw new java.io.UncheckedIOException("the load generator lost a connection", e);
                }
            }
        }

        private void send(Connection c) throws IOException {
            c.sentAt = System.nanoTime();
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                if (c.channel.write(out) == 0) {
                    Thread.onSpinWait();
                }
            }
        }

        private void onReadable(Connection c) {
            try {
                if (c.channel.read(c.received) < 0) {
                    throw new IOException("the server closed a connection");
                }
                int length = protocol.responseLength(c.received);
                if (length < 0) {
                    return;
                }
                latencies.recordValue(Math.max(1, (System.nanoTime() - c.sentAt) / 1_000));
                completed++;
                c.received.flip().position(length);
                c.received.compact();
                send(c);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    LoadGenerator(Protocol protocol, int port, int connections, int threads) throws IOException {
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(protocol));
        }
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (int i = 0; i < connections; i++) {
            SocketChannel channel = SocketChannel.open(server);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            workers.get(i % threads).connections.add(new Connection(channel));
        }
        for (int t = 0; t < threads; t++) {
            Worker w = workers.get(t);
            w.thread = Thread.ofPlatform().name("load-" + t).daemon().start(w);
        }
    }

    /** Returns the responses received so far. */
    long completed() {
        long sum = 0;
        for (Worker w : workers) {
            sum += w.completed;
        }
        return sum;
    }

    /** Returns the round trips recorded since the last call, in microseconds, and starts a new interval. */
    Histogram interval() {
        Histogram all = new Histogram(3);
        for (Worker w : workers) {
            all.add(w.latencies.getIntervalHistogram());
        }
        return all;
    }

    @Override
    public void close() throws Exception {
        stop = true;
        for (Worker w : workers) {
            w.selector.wakeup();
            w.thread.join();
            for (Connection c : w.connections) {
                c.channel.close();
            }
            w.selector.close();
        }
    }
}
