package dev.weft.runtime.io;

import dev.weft.runtime.Weft;

/** Starts a runtime and its selector service in a child JVM and prints the backend it chose. */
public final class BackendProbe {
    private BackendProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (Weft weft = Weft.start()) {
            SelectorService service = SelectorService.of(weft);
            System.out.println("backend=" + service.backend() + " loops=" + service.loopThreads());
        }
    }
}
