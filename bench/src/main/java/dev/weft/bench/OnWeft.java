package dev.weft.bench;

import dev.weft.runtime.Weft;

/** A trial run on one Weft runtime per JVM, closed with the trial. */
abstract class OnWeft implements Trial {
    final Weft weft = Weft.start();

    @Override
    public void close() {
        weft.close();
    }
}
