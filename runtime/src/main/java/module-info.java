/**
 * Weft's runtime: components with typed inboxes and outboxes on virtual threads, links, select,
 * lifecycle, services and metrics ({@link dev.weft.runtime}); the selector service for non-blocking
 * channels ({@link dev.weft.runtime.io}); snapshots and change events of a running graph
 * ({@link dev.weft.runtime.inspect}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.weft.runtime {
    // Weft.Builder takes, and Weft hands out, a MeterRegistry. Micrometer is an automatic module
    // whose name its manifest fixes (Automatic-Module-Name), so requiring it is safe.
    requires transitive micrometer.core;
    requires org.jctools.core; // the inboxes' MPSC queues (the atomic flavour: no Unsafe)

    exports dev.weft.runtime;
    exports dev.weft.runtime.io;
    exports dev.weft.runtime.inspect;
}
