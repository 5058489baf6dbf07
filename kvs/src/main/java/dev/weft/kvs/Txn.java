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
     * One operation of a transaction, for backends that translate transactions; {@code value} is
     * the transaction's own copy (null for unlink and mkdir): read it, never write it.
     */
    public record Op(Kind kind, String key, byte[] value) {
        /** What an operation does. */
        public enum Kind { PUT, APPEND, UNLINK, MKDIR }

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
            r = switch (op.kind()) {
                case PUT -> Tree.update(r, path, old -> new Node.Val(version, version, Blob.of(op.value())), version);
                case APPEND -> Tree.update(r, path, old -> appended(op, old, version), version);
                case UNLINK -> Tree.update(r, path, old -> null, version);
                case MKDIR -> Tree.update(r, path, old -> new Node.Dir(version, new String[0], new Node[0]), version);
            };
            mayUndo |= op.kind() == Op.Kind.UNLINK || op.kind() == Op.Kind.MKDIR;
        }
        return mayUndo ? (Node.Dir) Tree.keepUnchanged(root, r, version) : r;
    }

    private static Node appended(Op op, Node old, long version) {
        if (old instanceof Node.Val val) {
            return new Node.Val(version, val.lineage(), val.data().append(op.value()));
        }
        if (old == null) {
            return new Node.Val(version, version, Blob.of(op.value()));
        }
        throw new NotAValueException("cannot append to '" + op.key() + "': it is a directory");
    }
}
