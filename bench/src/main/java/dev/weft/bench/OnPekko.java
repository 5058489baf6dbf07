package dev.weft.bench;

/** A trial run on one Pekko actor system per JVM, terminated with the trial. */
abstract class OnPekko implements Trial {
    final Pekko pekko = new Pekko();

    @Override
    public void close() throws Exception {
        pekko.close();
    }
}
