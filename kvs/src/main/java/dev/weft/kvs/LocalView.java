package dev.weft.kvs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A view of an in-process namespace: an immutable root, read without locks and without blocking.
 * Reads follow symlinks, into other namespaces too (read at their latest version, as far as the
 * view's {@link Principal} may use them).
 */
final class LocalView implements View {
    private final LocalNamespace namespace;
    private final long version;
    private final Node.Dir root;
    private final Principal principal;

    LocalView(LocalNamespace namespace, long version, Node.Dir root, Principal principal) {
        this.namespace = namespace;
        this.version = version;
        this.root = root;
        this.principal = principal;
    }

    @Override
    public long version() {
        return version;
    }

    /** What a read found, and the last symlink target it followed to get there (null if none). */
    private record Resolved(Tree.Found found, String via) {
        Node node() {
            return found.node();
        }
    }

    /**
     * Finds {@code key}, following every symlink on the way and, if {@code followLast}, the one at
     * the key itself.
     *
     * @throws SymlinkLoopException after {@link View#MAX_LINK_HOPS} symlinks
     * @throws PermissionDeniedException if a symlink leads into a namespace the principal may not use
     */
    private Resolved resolve(String key, boolean followLast) {
        String[] path = Keys.parse(key);
        Node.Dir top = root;
        String ns = namespace.name();
        List<String> followed = null;
        String via = null;
        walk:
        for (;;) {
            Node at = top;
            long floor = 0;
            for (int i = 0; ; i++) {
                boolean last = i == path.length;
                if (at instanceof Node.Link link && (!last || followLast)) {
                    if (followed == null) {
                        followed = new ArrayList<>(2);
                    }
                    followed.add(Keys.join(Arrays.copyOf(path, i)) + " -> " + link.target());
                    if (followed.size() > MAX_LINK_HOPS) {
                        throw new SymlinkLoopException("reading '" + key + "' in namespace '" + namespace.name()
                                + "' followed more than " + MAX_LINK_HOPS + " symlinks (" + String.join(", ", followed)
                                + "): a loop, or a chain too long");
                    }
                    via = link.target();
                    String[] target = Keys.parse(link.key());
                    String[] rest = Arrays.copyOfRange(path, i, path.length);
                    path = Arrays.copyOf(target, target.length + rest.length);
                    System.arraycopy(rest, 0, path, target.length, rest.length);
                    if (link.namespace() != null && !link.namespace().equals(ns)) {
                        ns = link.namespace();
                        top = rootOf(ns);
                        if (top == null) {
                            return new Resolved(Tree.Found.MISSING, via);
                        }
                    }
                    continue walk;
                }
                if (last) {
                    return new Resolved(new Tree.Found(at, floor), via);
                }
                if (!(at instanceof Node.Dir dir)) {
                    return new Resolved(Tree.Found.MISSING, via);
                }
                floor = Math.max(floor, dir.floor());
                at = dir.get(path[i]);
                if (at == null) {
                    return new Resolved(Tree.Found.MISSING, via);
                }
            }
        }
    }

    /** The latest root of another namespace, or null if there is none. */
    private Node.Dir rootOf(String name) {
        LocalNamespace other;
        try {
            other = namespace.store().local(name);
        } catch (NoSuchNamespaceException dangling) {
            return null;
        }
        principal.checkUse(other);
        return other.head().dir();
    }

    @Override
    public Entry entry(String key) {
        Resolved r = resolve(key, true);
        return new Entry(namespace.name(), key, version, r.found().version(), r.node() instanceof Node.Dir,
                r.node() instanceof Node.Val val ? val.data().toArray() : null);
    }

    @Override
    public Entry readlink(String key) {
        Resolved r = resolve(key, false);
        return new Entry(namespace.name(), key, version, r.found().version(), r.node() instanceof Node.Dir,
                r.node() instanceof Node.Val val ? val.data().toArray() : null,
                r.node() instanceof Node.Link link ? link.target() : null);
    }

    @Override
    public byte[] get(String key) {
        Node n = resolve(key, true).node();
        if (n instanceof Node.Dir) {
            throw NotAValueException.directory(namespace.name(), key);
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
        return resolve(key, true).node() != null;
    }

    @Override
    public boolean isDirectory(String key) {
        return resolve(key, true).node() instanceof Node.Dir;
    }

    @Override
    public long keyVersion(String key) {
        return resolve(key, true).found().version();
    }

    @Override
    public List<String> list(String dir) {
        Resolved r = resolve(dir, true);
        if (r.node() instanceof Node.Dir d) {
            return d.names();
        }
        throw new NotADirectoryException("'" + dir + "' is " + (r.node() == null ? "missing" : "a value, not a directory")
                + (r.via() == null ? "" : " (it leads through a symlink to '" + r.via() + "')")
                + " in namespace '" + namespace.name() + "' at version " + version);
    }

    @Override
    public String toString() {
        return namespace.name() + "@" + version;
    }
}
