package dev.weft.kvs;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A view of an in-process namespace: an immutable root, read without locks and without blocking. */
final class LocalView implements View {
    private final String namespace;
    private final long version;
    private final Node.Dir root;

    LocalView(String namespace, long version, Node.Dir root) {
        this.namespace = namespace;
        this.version = version;
        this.root = root;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public Entry entry(String key) {
        Node n = Tree.lookup(root, Keys.parse(key));
        return new Entry(namespace, key, version, versionOf(n), n instanceof Node.Dir,
                n instanceof Node.Val val ? val.data().toArray() : null);
    }

    @Override
    public byte[] get(String key) {
        Node n = Tree.lookup(root, Keys.parse(key));
        if (n instanceof Node.Dir) {
            throw NotAValueException.directory(namespace, key);
        }
        return n == null ? null : ((Node.Val) n).data().toArray();
    }

    @Override
    public String getString(String key) {
        byte[] value = get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean exists(String key) {
        return Tree.lookup(root, Keys.parse(key)) != null;
    }

    @Override
    public boolean isDirectory(String key) {
        return Tree.lookup(root, Keys.parse(key)) instanceof Node.Dir;
    }

    @Override
    public long keyVersion(String key) {
        return versionOf(Tree.lookup(root, Keys.parse(key)));
    }

    @Override
    public List<String> list(String dir) {
        Node n = Tree.lookup(root, Keys.parse(dir));
        if (n instanceof Node.Dir d) {
            return d.names();
        }
        throw new NotADirectoryException("'" + dir + "' is " + (n == null ? "missing" : "a value, not a directory")
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
