package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The order a server's watch frames keep now that a watch's delivery thread, or the committing
 * thread, sends them straight to the socket, seen on a raw socket: the start reply before the first event, and an ended watch
 * forgotten (its slot free) before the client can learn of its end.
 */
class WatchFramesTest {
    /** Watches started one after another on one connection; each start races its first event. */
    private static final int ROUNDS = 300;

    private Weft weft;
    private Kvs kvs;

    @BeforeEach
    void start() {
        weft = Weft.start();
        kvs = Kvs.inMemory();
    }

    @AfterEach
    void stop() {
        weft.close();
        kvs.close();
    }

    @Test
    void theStartReplyOfAWatchGoesOutBeforeItsFirstEvent() throws Exception {
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxWatches(ROUNDS));
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (long id = 1; id <= ROUNDS; id++) {
                out.write(watch(id, "k" + id, WatchMode.VALUE));

                Wire.In first = read(in);
                assertThat(first.id).as("round %d: the only watch started", id).isEqualTo(id);
                assertThat(first.type).as("round %d: the start reply first", id).isEqualTo(Wire.R_WATCHING);
                Wire.In event = read(in);
                assertThat(event.type).as("round %d: then the initial value", id).isEqualTo(Wire.R_EVENT);
                assertThat(Wire.event(event)).isInstanceOf(WatchEvent.Value.class);
            }
        }
    }

    @Test
    void aWatchThatHasEndedFreesItsSlotBeforeTheClientHearsOfItsEnd() throws Exception {
        kvs.primary().put("k", "there");
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxWatches(1));
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (long id = 1; id <= ROUNDS; id++) {
                // A CREATE watch of a key that exists ends at once: its value, then Ended(CREATED).
                out.write(watch(id, "k", WatchMode.CREATE));

                assertThat(read(in).type).as("round %d: started, within the limit of one", id).isEqualTo(Wire.R_WATCHING);
                assertThat(Wire.event(read(in))).isInstanceOf(WatchEvent.Value.class);
                assertThat(Wire.event(read(in))).as("round %d", id).isInstanceOf(WatchEvent.Ended.class);
            }
        }
    }

    /**
     * A commit's event may be handed to the socket by the committing thread itself; it must still
     * wait for the start reply. A CREATE watch of a key a writer keeps creating and removing has no
     * initial event, so its first event is such a commit racing the reply.
     */
    @Test
    void aCommitRacingAWatchsStartReplyIsNotSentBeforeIt() throws Exception {
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withMaxWatches(ROUNDS));
        Namespace ns = kvs.primary();
        try (Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (long id = 1; id <= ROUNDS; id++) {
                String key = "c" + id;
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = repeat(stop, () -> {
                    ns.commit(new Txn().put(key, "v"));
                    ns.commit(new Txn().unlink(key));
                });
                try {
                    out.write(watch(id, key, WatchMode.CREATE));

                    Wire.In first = read(in);
                    assertThat(first.id).as("round %d: the only watch started", id).isEqualTo(id);
                    assertThat(first.type).as("round %d: the start reply first", id).isEqualTo(Wire.R_WATCHING);
                    assertThat(Wire.event(read(in))).as("round %d: then the creation", id).isInstanceOf(WatchEvent.Value.class);
                    assertThat(Wire.event(read(in))).as("round %d: then the end", id).isInstanceOf(WatchEvent.Ended.class);
                } finally {
                    stop.set(true);
                    writer.join();
                }
            }
        }
    }

    /**
     * The fault races the cancelled watch's Ended frame; before the gate one run in four lost. With
     * commits coming, the watch's events may also be sent by the committing thread, which must
     * respect the gate too (without that, five runs in five lost).
     */
    @ParameterizedTest(name = "commits keep coming: {0}")
    @ValueSource(booleans = {false, true})
    void nothingFollowsAFaultsErrorFrameNotEvenAWatchsEnd(boolean commitsKeepComing) throws Exception {
        Namespace ns = kvs.primary();
        for (int round = 0; round < 20; round++) {
            KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = null;
            try (Socket socket = connect(server)) {
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                out.write(watch(1, "k", WatchMode.VALUE));
                assertThat(read(in).type).isEqualTo(Wire.R_WATCHING);
                assertThat(read(in).type).isEqualTo(Wire.R_EVENT);          // the initial value
                if (commitsKeepComing) {
                    writer = repeat(stop, () -> ns.put("k", "v"));
                    assertThat(read(in).type).as("round %d: a commit's event", round).isEqualTo(Wire.R_EVENT);
                }
                out.write(new Wire.Out((byte) 99, 2).frame());             // no such request type: a fault

                Wire.In frame;
                while ((frame = read(in)).type == Wire.R_EVENT && commitsKeepComing) {
                    assertThat(frame.id).isEqualTo(1);
                }
                assertThat(frame.type).isEqualTo(Wire.R_ERROR);
                assertThat(frame.id).isZero();
                assertThat(in.read()).as("round %d: a byte after the fault frame", round).isEqualTo(-1);
            } finally {
                stop.set(true);
                if (writer != null) {
                    writer.join();
                }
                server.close();
            }
        }
    }

    /** Commits over and over on a virtual thread until {@code stop} is set. */
    private static Thread repeat(AtomicBoolean stop, Commits commits) {
        return Thread.ofVirtual().start(() -> {
            try {
                while (!stop.get()) {
                    commits.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private interface Commits {
        void run() throws InterruptedException;
    }

    private static Socket connect(KvsServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(10_000);            // a frame that never comes fails the test
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static byte[] watch(long id, String key, WatchMode mode) {
        return new Wire.Out(Wire.WATCH, id).str(Kvs.PRIMARY).str(key).u8(mode.ordinal()).frame();
    }

    private static Wire.In read(DataInputStream in) throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return new Wire.In(body);
    }
}
