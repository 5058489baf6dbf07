package dev.weft.kvs;

import java.util.Arrays;

/**
 * A node of a namespace's persistent tree: a directory or a value. Nodes are immutable; a commit
 * copies the path from the root to each changed node and shares everything else, so any root is a
 * consistent snapshot that readers use without locks.
 */
sealed interface Node permits Node.Dir, Node.Val {

    /** The root version of the commit that last changed this node or anything beneath it. */
    long version();

    /**
     * A value. {@code lineage} is the version of the put (or first append) that created its current
     * contents; appends keep it, so a watcher tells an append from a replacement by comparing it.
     */
    record Val(long version, long lineage, Blob data) implements Node {
    }

    /** A directory: children sorted by name, in two parallel arrays. */
    final class Dir implements Node {
        static final Dir EMPTY = new Dir(0, new String[0], new Node[0]);

        private final long version;
        private final String[] names;
        private final Node[] children;

        Dir(long version, String[] names, Node[] children) {
            this.version = version;
            this.names = names;
            this.children = children;
        }

        @Override
        public long version() {
            return version;
        }

        int size() {
            return names.length;
        }

        String name(int i) {
            return names[i];
        }

        Node child(int i) {
            return children[i];
        }

        Node get(String name) {
            int i = Arrays.binarySearch(names, name);
            return i >= 0 ? children[i] : null;
        }

        Dir with(String name, Node child, long v) {
            int i = Arrays.binarySearch(names, name);
            if (i >= 0) {
                Node[] c = children.clone();
                c[i] = child;
                return new Dir(v, names, c);
            }
            int at = -i - 1;
            String[] n = new String[names.length + 1];
            Node[] c = new Node[names.length + 1];
            System.arraycopy(names, 0, n, 0, at);
            System.arraycopy(children, 0, c, 0, at);
            n[at] = name;
            c[at] = child;
            System.arraycopy(names, at, n, at + 1, names.length - at);
            System.arraycopy(children, at, c, at + 1, names.length - at);
            return new Dir(v, n, c);
        }

        Dir without(String name, long v) {
            int i = Arrays.binarySearch(names, name);
            if (i < 0) {
                return this;
            }
            String[] n = new String[names.length - 1];
            Node[] c = new Node[names.length - 1];
            System.arraycopy(names, 0, n, 0, i);
            System.arraycopy(children, 0, c, 0, i);
            System.arraycopy(names, i + 1, n, i, names.length - i - 1);
            System.arraycopy(children, i + 1, c, i, names.length - i - 1);
            return new Dir(v, n, c);
        }

        java.util.List<String> names() {
            return java.util.List.of(names);
        }
    }
}
