package dev.weft.bench.tcp;

import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/** Weft's echo: a {@link TcpServer} whose adapters are linked back to themselves, over the selector service. */
final class WeftEchoServer implements EchoServer {
    private final Weft weft = Weft.start();
    private final TcpServer server;
    private double lastWakeups;
    private double lastReadiness;

    WeftEchoServer() throws Exception {
        server = weft.spawn(new TcpServer(0, adapter -> {
            adapter.outbox.linkTo(adapter.inbox);
            adapter.signal().linkTo(adapter.control());
        }));
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public String report(long requests) {
        MeterRegistry meters = weft.meterRegistry();
        double wakeups = count(meters, "weft.selector.wakeups");
        double readiness = count(meters, "weft.selector.readiness");
        double dw = wakeups - lastWakeups;
        double dr = readiness - lastReadiness;
        lastWakeups = wakeups;
        lastReadiness = readiness;
        return String.format("wakeups/readiness=%.3f readiness/request=%.2f", dr == 0 ? 0 : dw / dr,
                requests == 0 ? 0 : dr / requests);
    }

    private static double count(MeterRegistry meters, String name) {
        FunctionCounter c = meters.find(name).functionCounter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        weft.close();
    }
}
