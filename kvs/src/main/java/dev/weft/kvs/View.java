package dev.weft.kvs;

import java.util.List;

/**
 * A namespace as it was at one root version: every read of a view sees that version and nothing
 * later. In process a view is an immutable snapshot read without locks; over the network or on etcd
 * each read is a round trip at the view's version, which works as long as the backend keeps that
 * version ({@link VersionNotRetainedException} otherwise).
 */
public interface View {
    /** Returns the root version this view shows. */
    long version();

    /** Reads {@code key}: its value or kind, and its version. */
    Entry entry(String key) throws InterruptedException;

    /**
     * Returns a copy of the value at {@code key}, or {@code null} if there is none.
     *
     * @throws NotAValueException if {@code key} is a directory
     */
    default byte[] get(String key) throws InterruptedException {
        return entry(key).valueOrNull();
    }

    /** Returns the value at {@code key} decoded as UTF-8, or {@code null} if there is none. */
    default String getString(String key) throws InterruptedException {
        return entry(key).string();
    }

    /** Returns whether anything (a value or a directory) is at {@code key}. */
    default boolean exists(String key) throws InterruptedException {
        return entry(key).exists();
    }

    /** Returns whether {@code key} is a directory. */
    default boolean isDirectory(String key) throws InterruptedException {
        return entry(key).directory();
    }

    /**
     * Returns the version of {@code key}: the root version of the commit that last changed it (or,
     * for a directory, anything beneath it), or {@link Txn#ABSENT} if it is missing. This is the
     * version a {@link Txn#require} precondition compares.
     */
    default long keyVersion(String key) throws InterruptedException {
        return entry(key).keyVersion();
    }

    /**
     * Returns the names in directory {@code dir} ({@code "."} for the root), sorted.
     *
     * @throws NotADirectoryException if {@code dir} is missing or is a value
     */
    List<String> list(String dir) throws InterruptedException;

    /** Reads at a given version, one round trip each: what a backend that reads remotely provides for {@link #at}. */
    interface Reads {
        /** Reads {@code key} at {@code version}. */
        Entry entry(String key, long version) throws InterruptedException;

        /** Lists {@code dir} at {@code version}. */
        List<String> list(String dir, long version) throws InterruptedException;
    }

    /** Returns the view at {@code version} of a namespace read through {@code reads}; each read is a call of {@code reads}. */
    static View at(String namespace, long version, Reads reads) {
        return new View() {
            @Override
            public long version() {
                return version;
            }

            @Override
            public Entry entry(String key) throws InterruptedException {
                return reads.entry(key, version);
            }

            @Override
            public List<String> list(String dir) throws InterruptedException {
                return reads.list(dir, version);
            }

            @Override
            public String toString() {
                return namespace + "@" + version;
            }
        };
    }
}
