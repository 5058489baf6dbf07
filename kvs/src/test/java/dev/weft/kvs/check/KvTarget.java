package dev.weft.kvs.check;

import java.util.List;

/**
 * A store under test, as the {@link Workload} drives it: sessions that read and commit, and a fault
 * that takes the store down and brings it back on the same data. One adapter per backend.
 *
 * <p>A session reports how each call ended through what it returns and throws: a commit returns
 * its version; {@link PreconditionFailed} and {@link NotApplied} say it certainly did not apply;
 * any other exception means its outcome is unknown (it may have applied). Reads have no effect, so
 * a read that throws simply returned nothing.
 */
public interface KvTarget extends AutoCloseable {
    /** Opens a session for workload client {@code client}; each client uses its own, from one thread. */
    Session open(int client) throws Exception;

    /** Takes the store down as abruptly as this backend allows (kill -9 for a process); returns once it is down. */
    void crash() throws Exception;

    /** Starts the store again on the same data; returns once it serves. */
    void restart() throws Exception;

    /** Describes the fault {@link #crash()} injects, for reports. */
    String fault();

    /** One client's connection to the store. */
    interface Session extends AutoCloseable {
        /** Reads {@code keys} at one version. */
        Outcome.Read read(List<String> keys) throws Exception;

        /**
         * Commits {@code write} and returns its version ({@link Outcome#NONE} if the store does not say).
         *
         * @throws PreconditionFailed if a precondition did not hold (nothing applied)
         * @throws NotApplied if the store certainly did not apply it
         * @throws Exception anything else: the outcome is unknown
         */
        long commit(Call.Write write) throws Exception;

        @Override
        void close();
    }
}
