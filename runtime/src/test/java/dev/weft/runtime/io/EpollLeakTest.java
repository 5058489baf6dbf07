package dev.weft.runtime.io;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The epoll backend's bookkeeping after {@value #DEFAULT_CYCLES} connect/close cycles: no file
 * descriptor, no native memory, no registration slot and no registry entry is left behind. Each
 * cycle registers the accepted end, arms it, resets the connection from the client (so a readiness
 * may be in flight) and closes the handle. {@code -Dweft.test.epollCycles=N} changes the count.
 */
class EpollLeakTest {
    private static final int DEFAULT_CYCLES = 100_000;
    private static final int CYCLES = Integer.getInteger("weft.test.epollCycles", DEFAULT_CYCLES);
    private static final int WARM_UP = 2_000;
    /** Descriptors the JVM itself may open meanwhile (a jar, a class file). */
    private static final int FD_SLACK = 8;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Takes and drops readiness, as an owner that closes its handles would. */
    static final class Drain extends Component {
        final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 64);

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(readiness, control) == control) {
                    return;
                }
                readiness.poll().ops();
            }
        }
    }

    @Test
    void connectCloseCyclesLeaveNoDescriptorNativeMemoryOrSlotBehind() throws Exception {
        System.setProperty(Backends.PROPERTY, "epoll");
        try (Weft weft = Weft.start();
                ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024)) {
            SelectorService service = SelectorService.of(weft);
            Drain owner = weft.spawn(new Drain());
            SocketAddress address = listener.getLocalAddress();
            cycles(service, owner, listener, address, WARM_UP);
            awaitNoSlots(service);
            long fds = openDescriptors();
            long nativeBytes = nativeBytes(service);

            cycles(service, owner, listener, address, CYCLES);

            awaitNoSlots(service);
            assertThat(service.registry().live).as("registered handles").isEmpty();
            assertThat(nativeBytes(service)).as("native bytes held by the epoll loop").isEqualTo(nativeBytes);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (openDescriptors() > fds + FD_SLACK && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertThat(openDescriptors()).as("open descriptors after " + CYCLES + " cycles (before: " + fds + ")")
                    .isLessThanOrEqualTo(fds + FD_SLACK);
        } finally {
            System.clearProperty(Backends.PROPERTY);
        }
    }

    private static void cycles(SelectorService service, Drain owner, ServerSocketChannel listener,
            SocketAddress address, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            SocketChannel client = SocketChannel.open(address);
            SocketChannel accepted = listener.accept();
            ChannelHandle handle = service.register(accepted, owner.readiness);
            handle.arm(OP_READ);
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.close();                      // a reset: readiness may be on its way while we close
            handle.close();
        }
    }

    private static void awaitNoSlots(SelectorService service) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (service.pollers().stream().mapToInt(Poller::slotsInUse).sum() != 0) {
            assertThat(System.nanoTime()).as("registration slots freed in time").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static long nativeBytes(SelectorService service) {
        return service.pollers().stream().mapToLong(Poller::nativeBytes).sum();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
