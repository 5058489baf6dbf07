package dev.weft.examples;

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
 * The {@code --inspect-port} option that every example takes (as a picocli mixin): serves the
 * inspector ({@link InspectServer}) beside the example's runtime. An example starts its runtime
 * through {@link #start(Weft.Builder)} to honour it.
 */
final class InspectOption {
    @Option(names = "--inspect-port", paramLabel = "PORT",
            description = "Serve a live picture of the running components at http://127.0.0.1:PORT/ (0 picks a free port).")
    Integer port;

    @Option(names = "--inspect-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the inspector listens on (default: ${DEFAULT-VALUE}). It has no authentication.")
    String bind;

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
        Weft weft = builder.meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
        try {
            InspectServer server = InspectServer.start(weft, new InetSocketAddress(bind, port));
            PrintWriter out = example.commandLine().getOut();
            out.println("Inspector: " + server.uri());
            out.flush();
            return weft;
        } catch (IOException | RuntimeException e) {
            weft.close();
            throw new ParameterException(example.commandLine(), e.getMessage(), e, null, String.valueOf(port));
        }
    }
}
