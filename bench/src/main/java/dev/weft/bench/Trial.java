package dev.weft.bench;

/**
 * One peer's implementation of one benchmark, set up once per JVM and run several times.
 * {@link #run(long)} does {@code n} units of work (round trips, messages, leaves, idle components)
 * and returns the measured quantity: elapsed nanoseconds, or bytes for memory cases.
 */
interface Trial extends AutoCloseable {
    long run(long n) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
