package dev.weft.kvs;

import java.util.List;

/**
 * A namespace as it was at one root version: every read of a view sees that version and nothing
 * later. In process a view is an immutable snapshot read without locks; over the network or on etcd
 * each read is a round trip at the view's version, which works as long as the backend keeps that
 * version ({@link VersionNotRetainedException} otherwise).
 *
 * <p><b>Symlinks.</b> Reads follow symlinks ({@link Txn#symlink}), on the way to a key and at the
 * key itself, at most {@link #MAX_LINK_HOPS} of them ({@link SymlinkLoopException} beyond). A
 * symlink whose target is missing reads as missing. A target in another namespace
 * ({@code "ns::key"}) is read at that namespace's latest version in process and on a Weft server
 * (versions count each namespace's own commits), at this view's revision on etcd (one revision for
 * all). {@link #readlink} reads the symlink itself.
 */
public interface View {
    /** How many symlinks one read follows at most: Flux's limit. */
    int MAX_LINK_HOPS = 10;

    /** Returns the root version this view shows. */
    long version();

    /**
     * Reads {@code key}, following symlinks: what it finds (value or kind) and its version.
     *
     * @throws SymlinkLoopException if it would follow more than {@link #MAX_LINK_HOPS} symlinks
     */
    Entry entry(String key) throws InterruptedException;

    /**
     * Reads the node at {@code key} itself, following symlinks on the way to it but not one at the
     * key: for a symlink, an entry whose {@link Entry#link()} is its target and whose key version
     * is the link's own (the one {@link Txn#require} on the key compares); otherwise what
     * {@link #entry} would find without following.
     */
    Entry readlink(String key) throws InterruptedException;

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
     * version a {@link Txn#require} precondition compares, unless {@code key} is a symlink: this
     * reads through it, and the precondition names the link ({@link #readlink} has its version).
     */
    default long keyVersion(String key) throws InterruptedException {
        return entry(key).keyVersion();
    }

    /**
     * Returns the names in directory {@code dir} ({@code "."} for the root), sorted, following
     * symlinks to it (a symlink in it is listed by its own name).
     *
     * @throws NotADirectoryException if {@code dir} is missing or is a value
     */
    List<String> list(String dir) throws InterruptedException;

    /** Reads at a given version, one round trip each: what a backend that reads remotely provides for {@link #at}. */
    interface Reads {
        /** Reads {@code key} at {@code version}. */
        Entry entry(String key, long version) throws InterruptedException;

        /** Reads the node at {@code key} at {@code version}, not following a symlink there. */
        Entry readlink(String key, long version) throws InterruptedException;

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
            public Entry readlink(String key) throws InterruptedException {
                return reads.readlink(key, version);
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
