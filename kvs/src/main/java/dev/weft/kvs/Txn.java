package dev.weft.kvs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A transaction: operations applied in order and committed atomically, with optional preconditions
 * on key versions (compare-and-set). Build one, then hand it to {@link Namespace#commit(Txn)} of any backend.
 *
 * <pre>{@code
 * long v = ns.commit(new Txn().require("job.state", seen).put("job.state", "running"));
 * }</pre>
 *
 * <p>Not thread-safe while being built; a committed transaction is copied and may be reused.
 */
public final class Txn {
    /** The version a precondition names to require that a key does not exist. */
    public static final long ABSENT = 0;

    /**
     * One operation of a transaction, for backends that translate transactions.
     *
     * @param kind what it does
     * @param key the key it writes (for {@code MOVE}, also removes {@code source})
     * @param value the bytes of a put or append, the transaction's own copy: read it, never write it
     *     (null for the other kinds)
     * @param link a symlink's target, as {@link LinkTarget#parse} reads it (null for the other kinds)
     * @param source the key a copy or move takes (null for the other kinds)
     */
    public record Op(Kind kind, String key, byte[] value, String link, String source) {
        /** What an operation does. The order is the log's encoding: add kinds at the end. */
        public enum Kind { PUT, APPEND, UNLINK, MKDIR, SYMLINK, COPY, MOVE }

        /** An operation without a link or a source: put, append, unlink or mkdir. */
        public Op(Kind kind, String key, byte[] value) {
            this(kind, key, value, null, null);
        }

        String[] path() {
            return Keys.parse(key);
        }
    }

    /** Requires {@code key} to be at {@code version} ({@link #ABSENT}: missing). */
    public record Precondition(String key, long version) {
        String[] path() {
            return Keys.parse(key);
        }
    }

    private final List<Op> ops = new ArrayList<>();
    private final List<Precondition> preconditions = new ArrayList<>(0);

    /** Sets {@code key} to {@code value}, replacing what was there (a directory included). */
    public Txn put(String key, byte[] value) {
        return add(Op.Kind.PUT, key, Objects.requireNonNull(value, "value").clone());
    }

    /** Sets {@code key} to the UTF-8 bytes of {@code value}. */
    public Txn put(String key, String value) {
        return add(Op.Kind.PUT, key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends {@code bytes} to the value at {@code key}, creating it if missing. */
    public Txn append(String key, byte[] bytes) {
        return add(Op.Kind.APPEND, key, Objects.requireNonNull(bytes, "bytes").clone());
    }

    /** Appends the UTF-8 bytes of {@code text} to the value at {@code key}. */
    public Txn append(String key, String text) {
        return add(Op.Kind.APPEND, key, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Removes {@code key} and, if it is a directory, everything beneath it. Missing keys are fine. */
    public Txn unlink(String key) {
        return add(Op.Kind.UNLINK, key, null);
    }

    /** Makes {@code key} an empty directory, replacing what was there. */
    public Txn mkdir(String key) {
        return add(Op.Kind.MKDIR, key, null);
    }

    /**
     * Makes {@code key} a symlink to {@code target}, replacing what was there: {@code "other.key"}
     * in this namespace or {@code "ns::other.key"} in namespace {@code ns}. Reads follow symlinks
     * (see {@link View#entry}); writes, preconditions and watches do not: they name the link itself.
     * The target need not exist.
     *
     * @throws KvsException if the target is empty or names an empty namespace
     */
    public Txn symlink(String key, String target) {
        Keys.parseNonRoot(key);
        LinkTarget.parse(target);
        ops.add(new Op(Op.Kind.SYMLINK, key, null, target, null));
        return this;
    }

    /**
     * Puts a copy of the node at {@code from} (a value, a directory and everything beneath it, or a
     * symlink, which is not followed) at {@code to}, replacing what was there, as the transaction's
     * earlier operations left it. The copy shares the persistent tree's structure with its source, so
     * copying a directory of any size costs a constant, and later changes to either leave the other
     * alone. Every key of the copy has the copying commit's version.
     *
     * @throws KvsException if either key is the root
     */
    public Txn copy(String from, String to) {
        return transfer(Op.Kind.COPY, from, to);
    }

    /**
     * Like {@link #copy} followed by {@link #unlink} of {@code from}, in this one transaction.
     *
     * @throws KvsException if either key is the root, or {@code to} is {@code from} or beneath it
     */
    public Txn move(String from, String to) {
        String[] source = Keys.parseNonRoot(from);
        String[] target = Keys.parseNonRoot(to);
        if (target.length >= source.length && java.util.Arrays.equals(source, 0, source.length, target, 0, source.length)) {
            throw new KvsException("cannot move '" + from + "' to '" + to + "': onto or into itself");
        }
        return transfer(Op.Kind.MOVE, from, to);
    }

    private Txn transfer(Op.Kind kind, String from, String to) {
        Keys.parseNonRoot(from);
        Keys.parseNonRoot(to);
        ops.add(new Op(kind, to, null, null, from));
        return this;
    }

    /**
     * Commits only if {@code key} is at {@code version} when the transaction applies (its version is
     * the root version of the commit that last changed it or anything beneath it; {@link #ABSENT}
     * requires the key to be missing).
     */
    public Txn require(String key, long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative: " + version);
        }
        Keys.parse(key);
        preconditions.add(new Precondition(key, version));
        return this;
    }

    /** Returns whether this transaction has no operations. */
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    private Txn add(Op.Kind kind, String key, byte[] value) {
        Keys.parseNonRoot(key);
        ops.add(new Op(kind, key, value));
        return this;
    }

    /** Returns the operations in the order they apply. */
    public List<Op> ops() {
        return List.copyOf(ops);
    }

    /** Returns the preconditions; all must hold for the transaction to commit. */
    public List<Precondition> preconditions() {
        return List.copyOf(preconditions);
    }

    /**
     * Applies {@code ops} to {@code root} as the commit that makes {@code version}. Puts and appends
     * always leave a new value behind; only an unlink or a mkdir can undo a copy, so only then is the
     * result compared with {@code root} ({@link Tree#keepUnchanged}).
     */
    static Node.Dir apply(Node.Dir root, List<Op> ops, long version) {
        Node.Dir r = root;
        boolean mayUndo = false;
        for (Op op : ops) {
            String[] path = op.path();
            Node.Dir before = r;
            r = switch (op.kind()) {
                case PUT -> Tree.update(r, path, old -> new Node.Val(version, version, Blob.of(op.value())), version);
                case APPEND -> Tree.update(r, path, old -> appended(op, old, version), version);
                case UNLINK -> Tree.update(r, path, old -> null, version);
                case MKDIR -> Tree.update(r, path, old -> new Node.Dir(version, new String[0], new Node[0]), version);
                case SYMLINK -> Tree.update(r, path, old -> Node.Link.of(version, op.link()), version);
                case COPY -> {
                    Node copy = copied(before, op, version);
                    yield Tree.update(before, path, old -> copy, version);
                }
                case MOVE -> {
                    Node copy = copied(before, op, version);
                    yield Tree.update(Tree.update(before, path, old -> copy, version), Keys.parse(op.source()),
                            old -> null, version);
                }
            };
            mayUndo |= op.kind() == Op.Kind.UNLINK || op.kind() == Op.Kind.MKDIR || op.kind() == Op.Kind.MOVE;
        }
        return mayUndo ? (Node.Dir) Tree.keepUnchanged(root, r, version) : r;
    }

    /** The node at a copy's source as a copy made at {@code version}: the same contents, stamped anew. */
    private static Node copied(Node.Dir root, Op op, long version) {
        Node source = Tree.lookup(root, Keys.parse(op.source()));
        return switch (source) {
            case null -> throw new NoSuchKeyException("cannot " + op.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " '" + op.source() + "' to '" + op.key() + "': '" + op.source() + "' is missing");
            case Node.Val v -> new Node.Val(version, version, v.data());
            case Node.Link l -> new Node.Link(version, l.target(), l.namespace(), l.key());
            case Node.Dir d -> d.copiedAt(version);
        };
    }

    private static Node appended(Op op, Node old, long version) {
        if (old instanceof Node.Val val) {
            return new Node.Val(version, val.lineage(), val.data().append(op.value()));
        }
        if (old == null) {
            return new Node.Val(version, version, Blob.of(op.value()));
        }
        if (old instanceof Node.Link link) {
            throw new NotAValueException("cannot append to '" + op.key() + "': it is a symlink to '" + link.target()
                    + "' (writes do not follow symlinks)");
        }
        throw new NotAValueException("cannot append to '" + op.key() + "': it is a directory");
    }
}
