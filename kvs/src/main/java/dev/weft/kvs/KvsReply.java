package dev.weft.kvs;

import java.util.List;

/** The answer to a {@link KvsRequest}. */
public sealed interface KvsReply {
    /** What a read found. */
    record Value(Entry entry) implements KvsReply {
    }

    /** A directory's names at {@code version}. */
    record Listing(long version, List<String> names) implements KvsReply {
    }

    /** A root version: the one a commit made, the latest, or the one a wait reached. */
    record Version(long version) implements KvsReply {
    }

    /** A watch started at {@code startVersion}. */
    record WatchStarted(long watchId, long startVersion) implements KvsReply {
    }

    /** The namespaces. */
    record Namespaces(List<NamespaceInfo> namespaces) implements KvsReply {
    }

    /** The request succeeded and has nothing to report. */
    record Done() implements KvsReply {
    }
}
