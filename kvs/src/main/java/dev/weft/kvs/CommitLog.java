package dev.weft.kvs;

import java.util.concurrent.CompletableFuture;

/** Where commits go to become durable before they are published. */
interface CommitLog extends AutoCloseable {
    /**
     * Appends {@code record}. Once it is durable under the log's mode, runs {@code publish} (in log
     * order, never concurrently with another publish) and then completes the returned future with
     * {@code result}. Callers append under the lock that orders their records.
     *
     * @throws KvsException if the log has failed or closed
     */
    CompletableFuture<Long> append(LogRecord record, long result, Runnable publish);

    @Override
    void close();

    /** The log of a store that keeps nothing on disk: publishes at once, on the caller's thread. */
    final class InMemory implements CommitLog {
        private volatile boolean closed;

        @Override
        public CompletableFuture<Long> append(LogRecord record, long result, Runnable publish) {
            if (closed) {
                throw new KvsException("the store is closed");
            }
            publish.run();
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
