package dev.weft.bench.tcp;

/** A server under test, in its own JVM ({@link ServerMain}): listens on a free loopback port. */
interface Server extends AutoCloseable {

    /** Returns the loopback port it listens on. */
    int port();

    /** Returns counters worth printing (selector wake-ups and readiness for Weft), as "name=value" pairs. */
    default String report() {
        return "";
    }

    @Override
    void close() throws Exception;
}
