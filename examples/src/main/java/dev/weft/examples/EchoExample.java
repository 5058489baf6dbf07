package dev.weft.examples;

import dev.weft.actors.net.TcpServer;
import dev.weft.runtime.Weft;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A TCP echo server: each connection's socket adapter is linked back to itself. */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "A TCP echo server on loopback: every byte a client sends comes back to it.")
final class EchoExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Option(names = "--port", defaultValue = "7007", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Weft weft = inspect.start(Weft.builder());
        TcpServer server = weft.spawn(new TcpServer(port, adapter -> {
            adapter.outbox.linkTo(adapter.inbox);          // what we read, we write back
            adapter.signal.linkTo(adapter.control);    // the client's end of input ends our output
        }));
        return UntilShutdown.serve(weft, server, "echo server", spec.commandLine().getOut());
    }
}
