package dev.weft.kvs;

import java.util.List;
import java.util.function.UnaryOperator;

/** Path-copying operations on the persistent tree. */
final class Tree {
    /*
     * Copies and floors. Txn.copy puts the source node itself at the destination, stamped with the
     * commit's version: a directory's copy shares its child arrays (Dir.copiedAt), so copying a
     * directory of any size costs one node. The children keep the versions they had at the source,
     * which would say that a key beneath the copy changed before the copy made it; so the copy
     * records its version as a floor, and a node's version is read as the largest of its own and
     * the floors of the directories above it (Found). When a commit changes something beneath a
     * copy, each node on the path it copies is first stamped with the floor above it (stamped), so
     * the floor moves down with the path and the nodes it leaves are still covered by it.
     */
    private Tree() {
    }

    /**
     * A node found at a path, and the highest floor of the directories above it.
     *
     * @param node the node, or null if missing
     * @param floor the highest {@link Node.Dir#floor()} above it
     */
    record Found(Node node, long floor) {
        static final Found MISSING = new Found(null, 0);

        /** The node's version as readers see it ({@link Txn#ABSENT} if missing). */
        long version() {
            return node == null ? Txn.ABSENT : Math.max(node.version(), floor);
        }

        /** A value's lineage as readers see it: a copy made it afresh. */
        long lineage() {
            return Math.max(((Node.Val) node).lineage(), floor);
        }

        /** Whether {@code other} shows the same node at the same version. */
        boolean same(Found other) {
            return node == other.node && version() == other.version();
        }
    }

    /** Returns the node at {@code path}, or {@code null}; it does not follow symlinks. */
    static Node lookup(Node.Dir root, String[] path) {
        return find(root, path).node();
    }

    /** Finds the node at {@code path} with the floor above it; it does not follow symlinks. */
    static Found find(Node.Dir root, String[] path) {
        Node at = root;
        long floor = 0;
        for (String name : path) {
            if (!(at instanceof Node.Dir dir)) {
                return Found.MISSING;
            }
            floor = Math.max(floor, dir.floor());
            at = dir.get(name);
            if (at == null) {
                return Found.MISSING;
            }
        }
        return new Found(at, floor);
    }

    /** Returns the version readers see at {@code path} ({@link Txn#ABSENT} if missing). */
    static long versionAt(Node.Dir root, String[] path) {
        return find(root, path).version();
    }

    /** Returns {@code node} as readers see it beneath a directory of floor {@code floor}. */
    static Node stamped(Node node, long floor) {
        if (node == null || node.version() >= floor) {
            return node;
        }
        return switch (node) {
            case Node.Val v -> new Node.Val(floor, Math.max(v.lineage(), floor), v.data());
            case Node.Link l -> new Node.Link(floor, l.target(), l.namespace(), l.key());
            case Node.Dir d -> new Node.Dir(floor, namesOf(d), childrenOf(d), Math.max(d.floor(), floor));
        };
    }

    private static String[] namesOf(Node.Dir d) {
        String[] n = new String[d.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = d.name(i);
        }
        return n;
    }

    private static Node[] childrenOf(Node.Dir d) {
        Node[] c = new Node[d.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = d.child(i);
        }
        return c;
    }

    /**
     * Returns a new root in which the node at {@code path} is {@code change.apply(old)} (removed if
     * that is {@code null}), stamping every copied directory with {@code version}. Missing parent
     * directories are created unless the change removes; a value or symlink in the way is an error
     * (writes do not follow symlinks).
     */
    static Node.Dir update(Node.Dir root, String[] path, UnaryOperator<Node> change, long version) {
        return update(root, path, 0, change, version);
    }

    private static Node.Dir update(Node.Dir dir, String[] path, int depth, UnaryOperator<Node> change, long version) {
        String name = path[depth];
        Node old = stamped(dir.get(name), dir.floor());
        Node updated;
        if (depth == path.length - 1) {
            updated = change.apply(old);
        } else if (old instanceof Node.Dir sub) {
            updated = update(sub, path, depth + 1, change, version);
        } else if (old == null) {
            Node created = change.apply(null);
            if (created == null) {
                return dir;
            }
            updated = update(Node.Dir.EMPTY, path, depth + 1, n -> created, version);
        } else {
            if (change.apply(null) == null) {
                return dir;
            }
            String at = String.join(".", java.util.Arrays.copyOf(path, depth + 1));
            if (old instanceof Node.Link link) {
                throw new NotADirectoryException("'" + at + "' is a symlink to '" + link.target() + "', not a directory;"
                        + " writes do not follow symlinks: write beneath its target instead");
            }
            throw new NotADirectoryException("'" + at + "' is a value, not a directory");
        }
        if (updated == old) {
            return dir;
        }
        return updated == null ? dir.without(name, version) : dir.with(name, updated, version);
    }

    /**
     * Returns {@code after}, except that every directory the commit that made {@code version} copied
     * but left with the entries (and floor) it had is again the node it was in {@code before}. So a
     * change undone within one commit (a put and an unlink of the same key, a mkdir of an empty
     * directory) changes no node: no key version moves and no watch sees it. A node stamped with an
     * older version was shared, not copied, so it sits under the same name in {@code before}; only
     * copies are compared.
     */
    static Node keepUnchanged(Node before, Node after, long version) {
        return keepUnchanged(before, 0, after, 0, version);
    }

    private static Node keepUnchanged(Node before, long floorBefore, Node after, long floorAfter, long version) {
        if (before == after || !(before instanceof Node.Dir was) || !(after instanceof Node.Dir now)
                || now.version() != version) {
            return after;
        }
        long wasFloor = Math.max(floorBefore, was.floor());
        long nowFloor = Math.max(floorAfter, now.floor());
        Node.Dir kept = now;
        boolean same = was.size() == now.size() && wasFloor == nowFloor;
        for (int i = 0; i < now.size(); i++) {
            Node child = now.child(i);
            if (child.version() != version) {
                continue;
            }
            Node old = was.get(now.name(i));
            Node keptChild = keepUnchanged(old, wasFloor, child, nowFloor, version);
            if (keptChild != child) {
                kept = kept.with(now.name(i), keptChild, version);
            }
            same &= keptChild == old;
        }
        return same ? was : kept;
    }

    /**
     * Adds to {@code out} the full keys under {@code prefix} that differ between two subtrees, each
     * seen beneath the floor given for it. A subtree replaced by a copy is named by its top key.
     */
    static void diff(String prefix, Node before, long floorBefore, Node after, long floorAfter, List<String> out) {
        if (before == after && floorBefore == floorAfter) {
            return;
        }
        if (before instanceof Node.Dir a && after instanceof Node.Dir b) {
            long fa = Math.max(floorBefore, a.floor());
            long fb = Math.max(floorAfter, b.floor());
            if (fa != fb) {
                out.add(prefix);
                return;
            }
            int i = 0;
            int j = 0;
            while (i < a.size() || j < b.size()) {
                int cmp = i == a.size() ? 1 : j == b.size() ? -1 : a.name(i).compareTo(b.name(j));
                if (cmp < 0) {
                    out.add(Keys.child(prefix, a.name(i++)));
                } else if (cmp > 0) {
                    out.add(Keys.child(prefix, b.name(j++)));
                } else {
                    diff(Keys.child(prefix, a.name(i)), a.child(i++), fa, b.child(j++), fb, out);
                }
            }
        } else if (before != after || before != null
                && Math.max(before.version(), floorBefore) != Math.max(after.version(), floorAfter)) {
            out.add(prefix);
        }
    }
}
