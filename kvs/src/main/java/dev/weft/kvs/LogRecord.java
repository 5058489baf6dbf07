package dev.weft.kvs;

import java.util.List;

/** What the log records: every change to the store's durable state, in commit order. */
sealed interface LogRecord {
    /** A committed transaction that made {@code version} of {@code namespace}. */
    record Commit(String namespace, long version, List<Txn.Op> ops) implements LogRecord {
    }

    record CreateNamespace(String namespace, String owner) implements LogRecord {
    }

    record RemoveNamespace(String namespace) implements LogRecord {
    }
}
