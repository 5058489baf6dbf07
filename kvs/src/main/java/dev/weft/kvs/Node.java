package dev.weft.kvs;

import java.util.Arrays;

/**
 * A node of a namespace's persistent tree: a directory, a value or a symlink. Nodes are immutable;
 * a commit copies the path from the root to each changed node and shares everything else, so any
 * root is a consistent snapshot that readers use without locks.
 */
sealed interface Node permits Node.Dir, Node.Val, Node.Link {

    /**
     * The root version of the commit that last changed this node or anything beneath it, unless a
     * directory above it has a higher {@link Dir#floor()}: see {@link Tree.Found}.
     */
    long version();

    /**
     * A value. {@code lineage} is the version of the put (or first append) that created its current
     * contents; appends keep it, so a watcher tells an append from a replacement by comparing it.
     */
    record Val(long version, long lineage, Blob data) implements Node {
    }

    /**
     * A symlink to {@code key} in namespace {@code namespace} (null: the link's own namespace), as
     * {@link Txn#symlink} was given it in {@code target}.
     */
    record Link(long version, String target, String namespace, String key) implements Node {
        static Link of(long version, String target) {
            LinkTarget t = LinkTarget.parse(target);
            return new Link(version, target, t.namespace(), t.key());
        }
    }

    /**
     * A directory: children sorted by name, in two parallel arrays. {@code floor} is the version of
     * the copy that made it, if it is one ({@link Txn#copy}): the children are shared with the
     * directory it was copied from and keep the versions they had there, so every node beneath
     * counts as changed no earlier than the floor (0: no copy).
     */
    final class Dir implements Node {
        static final Dir EMPTY = new Dir(0, new String[0], new Node[0]);

        private final long version;
        private final long floor;
        private final String[] names;
        private final Node[] children;

        Dir(long version, String[] names, Node[] children) {
            this(version, names, children, 0);
        }

        Dir(long version, String[] names, Node[] children, long floor) {
            this.version = version;
            this.names = names;
            this.children = children;
            this.floor = floor;
        }

        @Override
        public long version() {
            return version;
        }

        /** The version no node beneath counts as older than (0 unless this directory is a copy). */
        long floor() {
            return floor;
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

        /** This directory, stamped {@code v}, sharing its children: the copy {@link Txn#copy} makes. */
        Dir copiedAt(long v) {
            return new Dir(v, names, children, v);
        }

        Dir with(String name, Node child, long v) {
            int i = Arrays.binarySearch(names, name);
            if (i >= 0) {
                Node[] c = children.clone();
                c[i] = child;
                return new Dir(v, names, c, floor);
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
            return new Dir(v, n, c, floor);
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
            return new Dir(v, n, c, floor);
        }

        java.util.List<String> names() {
            return java.util.List.of(names);
        }
    }
}
