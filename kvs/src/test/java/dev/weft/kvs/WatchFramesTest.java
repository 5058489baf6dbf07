package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Weft;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order a server's watch frames keep now that a watch's delivery thread sends them straight to
 * the socket, seen on a raw socket: the start reply before the first event, and an ended watch
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

    /** The fault races the cancelled watch's Ended frame; before the gate one run in four lost. */
    @Test
    void nothingFollowsAFaultsErrorFrameNotEvenAWatchsEnd() throws Exception {
        for (int round = 0; round < 20; round++) {
            KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
            try (Socket socket = connect(server)) {
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                out.write(watch(1, "k", WatchMode.VALUE));
                assertThat(read(in).type).isEqualTo(Wire.R_WATCHING);
                assertThat(read(in).type).isEqualTo(Wire.R_EVENT);          // the initial value
                out.write(new Wire.Out((byte) 99, 2).frame());             // no such request type: a fault

                Wire.In fault = read(in);
                assertThat(fault.type).isEqualTo(Wire.R_ERROR);
                assertThat(fault.id).isZero();
                assertThat(in.read()).as("round %d: a byte after the fault frame", round).isEqualTo(-1);
            } finally {
                server.close();
            }
        }
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
