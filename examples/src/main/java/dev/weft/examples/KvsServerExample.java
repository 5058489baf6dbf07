package dev.weft.examples;

import dev.weft.actors.net.Tls;
import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.KvsServer;
import dev.weft.kvs.KvsServerOptions;
import dev.weft.kvs.KvsService;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A durable KVS served over TCP; 'weft kvs ...' talks to it. */
@Command(name = "kvs-server", mixinStandardHelpOptions = true,
        description = "A durable KVS served over TCP (loopback by default); 'weft kvs --help' shows the client commands.")
final class KvsServerExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Option(names = "--port", defaultValue = "7100", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--data", required = true, description = "Directory for the log and snapshots (created if missing).")
    Path data;

    @Option(names = "--token", defaultValue = "${env:WEFT_KVS_TOKEN}",
            description = "Shared secret clients must present (default: $WEFT_KVS_TOKEN; none if unset).")
    String token;

    @Option(names = "--fsync", defaultValue = "batched",
            description = "When a commit is durable: always, batched (group commit) or none (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--max-frame", defaultValue = "1048576", description = "Largest request frame in bytes (default: ${DEFAULT-VALUE}).")
    int maxFrame;

    @picocli.CommandLine.Mixin
    TlsOptions.Server tls;

    @Option(names = "--insecure",
            description = "Bound beyond loopback: serve clients on other hosts with no token, or take the token from "
                    + "them without TLS (both are refused otherwise). Logs a warning. Only on a network you trust.")
    boolean insecure;

    @Option(names = "--max-connections", defaultValue = "10000",
            description = "Connections open at once; more are closed at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-in-flight", defaultValue = "4096",
            description = "Pending commits and waits per connection before its reads pause (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--auth-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "With a token: close a connection that has not presented it within this long "
                    + "(default: ${DEFAULT-VALUE}).")
    int authTimeout;

    @Option(names = "--users", paramLabel = "FILE",
            description = "A file of 'NAME TOKEN' lines: a client presenting TOKEN is user NAME and may use only the"
                    + " namespaces NAME owns.")
    Path users;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FsyncMode mode = switch (fsync) {
            case "always" -> FsyncMode.ALWAYS;
            case "batched" -> FsyncMode.BATCHED;
            case "none" -> FsyncMode.NONE;
            default -> throw new ParameterException(spec.commandLine(),
                    "--fsync must be always, batched or none, not '" + fsync + "'");
        };
        Tls serverTls = tls.tls();
        Weft weft = inspect.start(Weft.builder());
        try {
            Kvs kvs = KvsService.lookupOrStart(weft, KvsOptions.durable(data).withFsync(mode));
            KvsServerOptions options = KvsServerOptions.loopback(port).withAddress(new InetSocketAddress(bind, port))
                    .withToken(token == null || token.isEmpty() ? null : token).withMaxFrameBytes(maxFrame)
                    .withTls(serverTls).withInsecure(insecure).withMaxConnections(maxConnections)
                    .withMaxInFlight(maxInFlight).withAuthTimeout(Duration.ofSeconds(authTimeout));
            if (users != null) {
                options = withUsers(options, users);
            }
            KvsServer server = KvsServer.start(weft, kvs, options);
            return UntilShutdown.serve(weft, server.tcpServer(), "kvs server (" + data + ", fsync " + fsync
                    + (serverTls == null ? "" : ", TLS") + ")", spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            weft.close();
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (RuntimeException | IOException e) {
            weft.close();
            throw e;
        }
    }

    /** Adds the users of {@code file}: one 'NAME TOKEN' a line; blank lines and '#' comments are skipped. */
    private KvsServerOptions withUsers(KvsServerOptions options, Path file) throws IOException {
        KvsServerOptions with = options;
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] parts = trimmed.split("\\s+");
            if (parts.length != 2) {
                throw new ParameterException(spec.commandLine(),
                        file + ":" + n + ": expected 'NAME TOKEN'");
            }
            with = with.withUser(parts[0], parts[1]);
        }
        return with;
    }
}
