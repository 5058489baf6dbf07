package dev.weft.kvs;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A namespace as it was at one root version: a consistent, immutable snapshot. Reading it takes no
 * lock and never sees a later commit.
 */
public final class View {
    private final String namespace;
    private final long version;
    private final Node.Dir root;

    View(String namespace, long version, Node.Dir root) {
        this.namespace = namespace;
        this.version = version;
        this.root = root;
    }

    /** Returns the root version this view shows. */
    public long version() {
        return version;
    }

    /**
     * Returns a copy of the value at {@code key}, or {@code null} if there is none.
     *
     * @throws KvsException if {@code key} is a directory
     */
    public byte[] get(String key) {
        Node n = Tree.lookup(root, Keys.parse(key));
        if (n instanceof Node.Dir) {
            throw new KvsException("'" + key + "' is a directory in namespace '" + namespace + "'");
        }
        return n == null ? null : ((Node.Val) n).data().toArray();
    }

    /** Returns the value at {@code key} decoded as UTF-8, or {@code null} if there is none. */
    public String getString(String key) {
        byte[] value = get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Returns whether anything (a value or a directory) is at {@code key}. */
    public boolean exists(String key) {
        return Tree.lookup(root, Keys.parse(key)) != null;
    }

    /** Returns whether {@code key} is a directory. */
    public boolean isDirectory(String key) {
        return Tree.lookup(root, Keys.parse(key)) instanceof Node.Dir;
    }

    /**
     * Returns the version of {@code key}: the root version of the commit that last changed it (or,
     * for a directory, anything beneath it), or {@link Txn#ABSENT} if it is missing. This is the
     * version a {@link Txn#require} precondition compares.
     */
    public long keyVersion(String key) {
        return versionOf(Tree.lookup(root, Keys.parse(key)));
    }

    /**
     * Returns the names in directory {@code dir} ({@code "."} for the root), sorted.
     *
     * @throws KvsException if {@code dir} is missing or is a value
     */
    public List<String> list(String dir) {
        Node n = Tree.lookup(root, Keys.parse(dir));
        if (n instanceof Node.Dir d) {
            return d.names();
        }
        throw new KvsException("'" + dir + "' is " + (n == null ? "missing" : "a value, not a directory")
                + " in namespace '" + namespace + "' at version " + version);
    }

    static long versionOf(Node n) {
        return n == null ? Txn.ABSENT : n.version();
    }

    @Override
    public String toString() {
        return namespace + "@" + version;
    }
}
