package dev.weft.runtime.inspect;

/**
 * Hears about changes to a runtime's graph; see {@code Weft.addGraphListener}.
 *
 * <p>Called synchronously on the thread that made the change (a spawner, an ending component, a
 * thread that links), possibly while the runtime holds its link lock: an implementation must be
 * quick, must not block and must not call back into the runtime. Handing the event to a queue is
 * the intended use. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface GraphListener {

    /** Called once per change. */
    void changed(GraphEvent event);
}
