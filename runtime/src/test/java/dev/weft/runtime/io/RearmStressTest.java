package dev.weft.runtime.io;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two hundred owners bat a counter across a hundred loopback connections, one byte at a time, each
 * re-arming after every byte while the selector goes to sleep and wakes up around them. A lost
 * re-arm or a lost wake-up leaves a byte unanswered and the test stuck.
 */
@ParameterizedClass(name = "{0} backend, loops on {1} threads")
@CsvSource({"nio, virtual", "nio, platform", "epoll, virtual", "epoll, platform"})
class RearmStressTest {
    private static final int PAIRS = 100;
    private static final int ROUNDS = 300;

    @Parameter(0)
    String backend;

    @Parameter(1)
    String loopThreads;

    /** Reads the counter, checks it, sends it back plus one; re-arms after every byte. */
    static final class Player extends Component {
        final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 2);
        private final SocketChannel channel;
        private final boolean serves;
        int received;

        Player(SocketChannel channel, boolean serves) {
            this.channel = channel;
            this.serves = serves;
        }

        @Override
        protected void run() throws Exception {
            ChannelHandle handle = SelectorService.of(runtime()).register(channel, readiness);
            ByteBuffer one = ByteBuffer.allocate(1);
            int expected = serves ? 1 : 0;
            handle.arm(OP_READ);
            if (serves) {
                channel.write(ByteBuffer.wrap(new byte[] {0}));
            }
            while (received < ROUNDS) {
                assertThat(readiness.receive().isReadable()).isTrue();
                one.clear();
                while (channel.read(one) > 0) {
                    assertThat(one.get(0)).isEqualTo((byte) expected);
                    received++;
                    expected += 2;
                    if (!serves || received < ROUNDS) {
                        channel.write(ByteBuffer.wrap(new byte[] {(byte) (expected - 1)}));
                    }
                    one.clear();
                }
                handle.arm(OP_READ);
            }
            handle.close();
        }
    }

    @Test
    void noReArmIsLostWhileTwoHundredOwnersPingThroughOneSelector() throws Exception {
        List<SocketChannel> channels = new ArrayList<>();
        System.setProperty(Backends.PROPERTY, backend);
        System.setProperty(Backends.THREAD_PROPERTY, loopThreads);
        try (Weft weft = Weft.start();
                ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            List<Player> players = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                SocketChannel a = SocketChannel.open(listener.getLocalAddress());
                SocketChannel b = listener.accept();
                channels.add(a);
                channels.add(b);
                players.add(new Player(a, true));
                players.add(new Player(b, false));
            }
            players.forEach(weft::spawn);

            for (Player p : players) {
                assertThat(p.join(Duration.ofSeconds(30)).state()).as(p.name()).isEqualTo(ComponentState.FINISHED);
                assertThat(p.received).as(p.name() + " bytes received").isEqualTo(ROUNDS);
            }
            Registry registry = SelectorService.of(weft).registry();
            assertThat(registry.wakeups.sum()).as("wake-ups: at most one per select round")
                    .isLessThanOrEqualTo(registry.loops.sum());
            if (backend.equals("epoll")) {
                assertThat(registry.wakeups.sum()).as("epoll wake-ups while running").isZero();
            }
        } finally {
            System.clearProperty(Backends.PROPERTY);
            System.clearProperty(Backends.THREAD_PROPERTY);
            for (SocketChannel c : channels) {
                c.close();
            }
        }
    }
}
