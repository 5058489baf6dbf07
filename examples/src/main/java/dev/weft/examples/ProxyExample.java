package dev.weft.examples;

import dev.weft.actors.net.TcpClient;
import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Kamaelia's proxy: a server whose every connection is joined to a client connection to the target,
 * bytes flowing both ways, half-closes passed through.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "A TCP proxy on loopback: each connection is relayed to --target and back.")
final class ProxyExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Option(names = "--port", defaultValue = "7009", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--target", defaultValue = "127.0.0.1:7007", description = "host:port to relay to (default: ${DEFAULT-VALUE}).")
    String target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress to = parseTarget();
        Weft weft = inspect.start(Weft.builder());
        TcpServer server = weft.spawn(new TcpServer(port, inbound -> {
            TcpClient outbound;
            try {
                outbound = new TcpClient(to);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            inbound.outbox.linkTo(outbound.inbox);
            outbound.outbox.linkTo(inbound.inbox);
            inbound.signal.linkTo(outbound.control);     // client half-closed: half-close toward the target
            outbound.signal.linkTo(inbound.control);     // target half-closed: half-close toward the client
            outbound.termination().thenAccept(t -> {
                if (t.failed()) {
                    inbound.shutdown();                      // target unreachable or reset: drop the client too
                }
            });
            inbound.termination().thenAccept(t -> {
                if (t.failed()) {
                    outbound.shutdown();
                }
            });
            weft.spawn(outbound);
        }));
        return UntilShutdown.serve(weft, server, "proxy to " + target, spec.commandLine().getOut());
    }

    private InetSocketAddress parseTarget() {
        int colon = target.lastIndexOf(':');
        try {
            if (colon > 0) {
                return new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--target must be host:port, not '" + target + "'");
    }
}
