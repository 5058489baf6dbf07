package dev.weft.runtime;

/**
 * Something told once when a component ends: another component (on its control inbox), an ask
 * waiting for its reply, or the future that joins wait on. See {@link Component#watch}.
 */
interface Watcher {
    /** Called once, on the ending component's thread, after its inboxes closed. Must not block. */
    void ended(Terminated news);

    /** The component this watcher tells, if it is one, so that a spawner (told anyway) is not told twice. */
    default Component component() {
        return null;
    }

    /** A component watching another: the news goes to its control inbox. Equal by the component's identity. */
    record Signalled(Component component) implements Watcher {
        @Override
        public void ended(Terminated news) {
            component.deliverSignal(news);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Signalled s && s.component == component;   // never a subclass's equals
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(component);
        }
    }
}
