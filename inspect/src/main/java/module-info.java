/**
 * The inspector ({@link dev.weft.inspect}): an embedded HTTP endpoint that shows a running Weft
 * graph as JSON, Prometheus metrics, server-sent change events and a live web page.
 */
@SuppressWarnings("requires-automatic")
module dev.weft.inspect {
    requires transitive dev.weft.runtime;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;
    requires micrometer.registry.prometheus; // automatic, named by its manifest

    exports dev.weft.inspect;
    // Jackson reads the package-private record that wraps /api/graph's document.
    opens dev.weft.inspect to com.fasterxml.jackson.databind;
}
