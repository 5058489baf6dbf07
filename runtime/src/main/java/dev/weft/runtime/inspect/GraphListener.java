package dev.weft.runtime.inspect;

/**
 * Hears about changes to a runtime's graph; see {@code Weft.addGraphListener}.
 *
 * <p>Called one event at a time, in the order the changes happened, on a thread that made a change
 * (a spawner, an ending component, a thread that links) after it let go of the runtime's link lock:
 * a listener may link, unlink or spawn from its callback, and the event that causes is delivered
 * after the current one. It should still be quick, because the thread that calls it is doing other
 * work; handing the event to a queue is the intended use. An exception it throws is logged and
 * otherwise ignored.
 */
@FunctionalInterface
public interface GraphListener {

    /** Called once per change. */
    void changed(GraphEvent event);
}
