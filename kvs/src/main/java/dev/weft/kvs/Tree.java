package dev.weft.kvs;

import java.util.List;
import java.util.function.UnaryOperator;

/** Path-copying operations on the persistent tree. */
final class Tree {
    private Tree() {
    }

    /** Returns the node at {@code path}, or {@code null}. */
    static Node lookup(Node.Dir root, String[] path) {
        Node at = root;
        for (String name : path) {
            if (!(at instanceof Node.Dir dir)) {
                return null;
            }
            at = dir.get(name);
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    /**
     * Returns a new root in which the node at {@code path} is {@code change.apply(old)} (removed if
     * that is {@code null}), stamping every copied directory with {@code version}. Missing parent
     * directories are created unless the change removes; a value in the way is an error.
     */
    static Node.Dir update(Node.Dir root, String[] path, UnaryOperator<Node> change, long version) {
        return update(root, path, 0, change, version);
    }

    private static Node.Dir update(Node.Dir dir, String[] path, int depth, UnaryOperator<Node> change, long version) {
        String name = path[depth];
        Node old = dir.get(name);
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
            throw new NotADirectoryException("'" + String.join(".", java.util.Arrays.copyOf(path, depth + 1))
                    + "' is a value, not a directory");
        }
        if (updated == old) {
            return dir;
        }
        return updated == null ? dir.without(name, version) : dir.with(name, updated, version);
    }

    /**
     * Returns {@code after}, except that every directory the commit that made {@code version} copied
     * but left with the entries it had is again the node it was in {@code before}. So a change undone
     * within one commit (a put and an unlink of the same key, a mkdir of an empty directory) changes
     * no node: no key version moves and no watch sees it. A node stamped with an older version was
     * shared, not copied, so it sits under the same name in {@code before}; only copies are compared.
     */
    static Node keepUnchanged(Node before, Node after, long version) {
        if (before == after || !(before instanceof Node.Dir was) || !(after instanceof Node.Dir now)
                || now.version() != version) {
            return after;
        }
        Node.Dir kept = now;
        boolean same = was.size() == now.size();
        for (int i = 0; i < now.size(); i++) {
            Node child = now.child(i);
            if (child.version() != version) {
                continue;
            }
            Node old = was.get(now.name(i));
            Node keptChild = keepUnchanged(old, child, version);
            if (keptChild != child) {
                kept = kept.with(now.name(i), keptChild, version);
            }
            same &= keptChild == old;
        }
        return same ? was : kept;
    }

    /** Adds to {@code out} the full keys under {@code prefix} that differ between two subtrees. */
    static void diff(String prefix, Node before, Node after, List<String> out) {
        if (before == after) {
            return;
        }
        if (before instanceof Node.Dir a && after instanceof Node.Dir b) {
            int i = 0;
            int j = 0;
            while (i < a.size() || j < b.size()) {
                int cmp = i == a.size() ? 1 : j == b.size() ? -1 : a.name(i).compareTo(b.name(j));
                if (cmp < 0) {
                    out.add(Keys.child(prefix, a.name(i++)));
                } else if (cmp > 0) {
                    out.add(Keys.child(prefix, b.name(j++)));
                } else {
                    diff(Keys.child(prefix, a.name(i)), a.child(i++), b.child(j++), out);
                }
            }
        } else {
            out.add(prefix);
        }
    }
}
