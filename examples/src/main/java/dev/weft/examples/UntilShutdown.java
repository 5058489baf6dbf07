package dev.weft.examples;

import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a server example until the JVM is asked to stop (Ctrl-C, SIGTERM): a shutdown hook closes the
 * runtime, which shuts every component down cleanly, and only then lets the JVM exit.
 */
final class UntilShutdown {
    private UntilShutdown() {
    }

    /** Announces {@code server}, then waits until it ends; returns the exit code. */
    static int serve(Weft weft, TcpServer server, String what, PrintWriter out) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            out.println("shutting down...");
            out.flush();
            weft.close();
            out.println("stopped cleanly");
            out.flush();
            closed.countDown();
        }, "weft-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("%s listening on %s:%d (Ctrl-C to stop)%n", what, server.localAddress().getHostString(),
                server.port());
        out.flush();
        server.join();
        closed.await();
        return 0;
    }
}
