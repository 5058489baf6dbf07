package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server connection handles requests on the socket adapter's thread as it reads them, and on its
 * own thread whenever it has something to finish first (a watch start or cancel, an answer the
 * socket could not take). Seen on a raw socket: the answers given at once keep the request order
 * wherever the handling changes threads, and none is lost or doubled.
 */
class ServerRequestOrderTest {
    /** Rounds of pipelined requests, each with a watch started and cancelled. */
    private static final int ROUNDS = 5_000;
    private Weft weft;
    private Kvs kvs;
    private KvsServer server;

    @BeforeEach
    void start() throws Exception {
        weft = Weft.start();
        kvs = Kvs.inMemory();
        kvs.primary().put("k", "v");
        // A pipelining client cancels each watch before it starts the next, but a watch counts
        // against the connection's limit until its end has been delivered: room for all of them.
        server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxWatches(ROUNDS));
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        weft.close();
        kvs.close();
    }

    /**
     * A writer pipelines rounds of reads with a watch start and its cancel among them, one write
     * each, without waiting for answers; the start and the cancel go to the connection's thread
     * while the reads around them, in the same chunk or the next, may be handled inline on the
     * adapter's.
     */
    @Test
    void answersGivenAtOnceKeepTheRequestOrderAcrossWatchStartsAndCancels() throws Exception {
        int perRound = 8;
        try (Socket socket = connect(0)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    long id = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        long watch = 0;
                        for (int r = 0; r < perRound; r++) {
                            id++;
                            if (r == 2) {
                                watch = id;
                                out.write(new Wire.Out(Wire.WATCH, id).str(Kvs.PRIMARY).str("k")
                                        .u8(WatchMode.VALUE.ordinal()).frame());
                            } else if (r == 5) {
                                out.write(new Wire.Out(Wire.CANCEL_WATCH, id).i64(watch).frame());
                            } else {
                                out.write(get(id, "k"));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long next = 1;
            int ends = 0;
            while (next <= (long) ROUNDS * perRound || ends < ROUNDS) {
                Wire.In frame = read(in);
                if (frame.type == Wire.R_EVENT) {
                    assertThat(frame.id).as("an event of a watch already started").isLessThan(next);
                    ends += Wire.event(frame) instanceof WatchEvent.Ended ? 1 : 0;
                } else {
                    if (frame.type == Wire.R_ERROR) {
                        throw new AssertionError("answer to " + frame.id + ": " + Wire.error(frame));
                    }
                    assertThat(frame.id).as("the answers in request order").isEqualTo(next);
                    next++;
                }
            }
            writer.get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * A client that writes reads of a large value and does not read the answers for a while: the
     * socket fills, the adapter's inbox fills, an answer found inline cannot be sent and waits for
     * the connection's thread. Every answer still arrives, once, in order.
     */
    @Test
    void answersThatFindTheSocketFullStillGoOutOnceAndInOrder() throws Exception {
        int valueBytes = 64 * 1024;
        int requests = 400;
        kvs.primary().put("big", "x".repeat(valueBytes));
        try (Socket socket = connect(16 * 1024)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            CountDownLatch halfWritten = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (long id = 1; id <= requests; id++) {
                        out.write(get(id, "big"));
                        if (id == requests / 2) {
                            halfWritten.countDown();
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // Half the requests hold 12 MiB of answers: far more than the socket buffers take.
            assertThat(halfWritten.await(20, TimeUnit.SECONDS)).as("half the requests written").isTrue();
            for (long id = 1; id <= requests; id++) {
                Wire.In frame = read(in);
                assertThat(frame.type).as("answer %d", id).isEqualTo(Wire.R_ENTRY);
                assertThat(frame.id).as("the answers in request order").isEqualTo(id);
            }
            writer.get(20, TimeUnit.SECONDS);
        }
    }

    private Socket connect(int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        socket.setSoTimeout(20_000);            // a frame that never comes fails the test
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static byte[] get(long id, String key) {
        return new Wire.Out(Wire.ENTRY, id).str(Kvs.PRIMARY).i64(KvsRequest.LATEST).str(key).frame();
    }

    private static Wire.In read(DataInputStream in) throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new Wire.In(body);
    }
}
