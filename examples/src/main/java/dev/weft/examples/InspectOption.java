package dev.weft.examples;

import dev.weft.inspect.InspectAccess;
import dev.weft.inspect.InspectServer;
import dev.weft.runtime.Weft;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --inspect-*} options that every example takes (as a picocli mixin): serves the
 * inspector ({@link InspectServer}) beside the example's runtime. An example starts its runtime
 * through {@link #start(Weft.Builder)} to honour them.
 */
final class InspectOption {
    @Option(names = "--inspect-port", paramLabel = "PORT",
            description = "Serve a live picture of the running components at http://127.0.0.1:PORT/ (0 picks a free port).")
    Integer port;

    @Option(names = "--inspect-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the inspector listens on (default: ${DEFAULT-VALUE}). Beyond loopback its data is "
                    + "served only to clients with --inspect-token, or to everyone with --inspect-insecure; "
                    + "with neither, only to clients on this host.")
    String bind;

    @Option(names = "--inspect-token", paramLabel = "TOKEN", defaultValue = "${env:WEFT_INSPECT_TOKEN}",
            description = "Token every inspector client must present, as 'Authorization: Bearer TOKEN' or by opening "
                    + "the page as /?token=TOKEN (default: $WEFT_INSPECT_TOKEN; none if unset).")
    String token;

    @Option(names = "--inspect-insecure",
            description = "Serve the inspector's data with no token to anyone who can reach it (logs a warning when "
                    + "bound beyond loopback). Only on a network you trust.")
    boolean insecure;

    @Spec(Spec.Target.MIXEE)
    CommandSpec example;

    /**
     * Starts a runtime from {@code builder}; with {@code --inspect-port}, gives it a Prometheus meter
     * registry (for {@code /metrics}), starts the inspector and prints its address.
     */
    Weft start(Weft.Builder builder) {
        if (port == null) {
            return builder.start();
        }
        if (port < 0 || port > 65_535) {
            throw new ParameterException(example.commandLine(), "--inspect-port must be 0-65535, not " + port);
        }
        InspectAccess access = access();
        Weft weft = builder.meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
        try {
            InspectServer server = InspectServer.start(weft, new InetSocketAddress(bind, port), access);
            PrintWriter out = example.commandLine().getOut();
            out.println("Inspector: " + server.uri()
                    + (hasToken() ? " (open it as " + server.uri() + "?token=<token>)" : ""));
            out.flush();
            return weft;
        } catch (IOException | RuntimeException e) {
            weft.close();
            throw new ParameterException(example.commandLine(), e.getMessage(), e, null, String.valueOf(port));
        }
    }

    /** Returns who may read the inspector, as the options say. */
    InspectAccess access() {
        if (hasToken() && insecure) {
            throw new ParameterException(example.commandLine(), "give the inspector a token (--inspect-token or "
                    + "$WEFT_INSPECT_TOKEN) or --inspect-insecure, not both");
        }
        try {
            return hasToken() ? InspectAccess.token(token)
                    : insecure ? InspectAccess.insecure() : InspectAccess.protectedMode();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(example.commandLine(), "--inspect-token: " + e.getMessage(), e);
        }
    }

    private boolean hasToken() {
        return token != null && !token.isEmpty();
    }
}
