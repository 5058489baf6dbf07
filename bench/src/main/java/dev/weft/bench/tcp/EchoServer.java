package dev.weft.bench.tcp;

/** A TCP echo server under test: started on a free loopback port, closed after its cases. */
interface EchoServer extends AutoCloseable {

    /** Returns the loopback port it listens on. */
    int port();

    /** Returns extra figures to print after a measured interval (may be empty). */
    default String report(long requests) {
        return "";
    }

    @Override
    void close() throws Exception;
}
