package dev.weft.kvs.etcd;

import dev.weft.kvs.ConflictException;
import dev.weft.kvs.LimitExceededException;
import dev.weft.kvs.NoSuchKeyException;
import dev.weft.kvs.NoSuchNamespaceException;
import dev.weft.kvs.NotADirectoryException;
import dev.weft.kvs.NotAValueException;
import dev.weft.kvs.NotSupportedException;
import dev.weft.kvs.Txn;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns one Weft transaction into one etcd transaction, by optimistic concurrency: read every node
 * the transaction touches (one read-only etcd transaction, so one revision), apply the operations
 * to that picture exactly as the in-process store would, and write the net result with compares
 * that hold only if nothing the decision depended on has changed since. If a compare fails the
 * caller reads again and plans again.
 */
final class CommitPlan {
    /*
     * What each compare protects.
     *  - The namespace key's create revision: the namespace still exists, and is the same one.
     *  - A node read as missing: neither its directory nor its value marker exists.
     *  - A node read as a symlink: its symlink key has the create revision read (a symlink op
     *    rewrites it, keeping the create revision only if it was a symlink before).
     *  - A node read as a value: its value marker has the create revision read. Puts and appends keep
     *    it (they rewrite the marker), so concurrent appends to one log never conflict; an unlink or
     *    a change of kind recreates or removes it.
     *  - A node read as a directory: its marker's create revision, and its mod revision too if the
     *    plan depended on which keys are beneath it (a mkdir of an empty directory is a no-op; a
     *    cleared directory's keys are deleted one by one). Every commit that makes or removes a key
     *    beneath a directory rewrites its marker, so the marker's mod revision covers the subtree's
     *    shape. A put of a value that exists already (the common case, written blind below) rewrites
     *    only that value's keys: it changes no shape, so it leaves the markers above alone.
     *  - A node whose contents the plan copies (the source of a copy or move): its marker's mod
     *    revision and, for a value, that its put bytes are no newer than read, since a blind put
     *    rewrites only a value's bytes.
     *  - A precondition on a symlink: the marker's mod revision equals the version required. On a
     *    value, whose version is the later of its marker's mod revision (appends rewrite it) and its
     *    put bytes' (a put of an existing value rewrites only those): the marker's as read, and the
     *    bytes' no newer than the version. On a directory (or the root), whose version is the latest
     *    mod revision of its marker and of every key beneath it: the marker's mod revision and that
     *    of every value marker, put bytes and symlink beneath, as read (at most MAX_OPS keys).
     *
     * etcd refuses a transaction that puts a key inside a range it deletes, so a cleared directory
     * whose subtree this transaction also writes is cleared key by key (the keys read), not by range.
     *
     * Writes never follow symlinks: a symlink above a written key is refused like a value there. A
     * copy or move of a value or a symlink writes its contents afresh at the destination; a
     * directory is refused (NotSupportedException): etcd's flat key space shares no structure, so
     * a copy would write every key beneath it, and one transaction holds at most 128 operations.
     */
    /** etcd's default --max-txn-ops. */
    static final int MAX_OPS = 128;
    /** etcd's default --max-request-bytes: 1.5 MiB. */
    static final int MAX_REQUEST_BYTES = 3 << 19;
    /** What a request costs beyond its keys and values, generously. */
    private static final int OP_OVERHEAD = 32;

    private final String namespace;
    private final ByteSequence namespaceKey;
    private final byte[] dataPrefix;
    private final Txn txn;
    private final List<Txn.Op> ops;
    private final List<Txn.Precondition> preconditions;
    private final TreeSet<String> readSet = new TreeSet<>();
    /** Targets of put, mkdir and unlink: a directory there is cleared, so its children are counted. */
    private final TreeSet<String> clearing = new TreeSet<>();
    /** Clearing targets beneath which this transaction writes too: their keys are listed. */
    private final TreeSet<String> listing = new TreeSet<>();
    /** Paths with a precondition ("" for the root): the keys beneath are listed, in case it is a directory. */
    private final TreeSet<String> pinned = new TreeSet<>();
    /** Sources of copies and moves: their contents are copied. */
    private final Set<String> sources = new java.util.HashSet<>();
    private final byte[] appendId;

    CommitPlan(String namespace, ByteSequence namespaceKey, byte[] dataPrefix, Txn txn, byte[] appendId) {
        this.namespace = namespace;
        this.namespaceKey = namespaceKey;
        this.dataPrefix = dataPrefix;
        this.txn = txn;
        this.ops = txn.ops();
        this.preconditions = txn.preconditions();
        this.appendId = appendId;
        for (Txn.Op op : ops) {
            String path = Layout.path(op.key());
            readSet.add(path);
            readSet.addAll(Layout.ancestors(path));
            if (op.kind() != Txn.Op.Kind.APPEND) {
                clearing.add(path);
            }
            if (op.source() != null) {
                String source = Layout.path(op.source());
                sources.add(source);
                readSet.add(source);
                readSet.addAll(Layout.ancestors(source));
                if (op.kind() == Txn.Op.Kind.MOVE) {
                    clearing.add(source);
                }
            }
        }
        for (String c : clearing) {
            for (Txn.Op op : ops) {
                if (Layout.path(op.key()).startsWith(c + ".")) {
                    listing.add(c);
                }
            }
        }
        for (Txn.Precondition p : preconditions) {
            String path = Layout.path(p.key());
            if (!path.isEmpty()) {
                readSet.add(path);
            }
            pinned.add(path);
        }
    }

    // ---------------------------------------------------------------- without reading

    /**
     * The write for a transaction of puts and appends on separate keys (none beneath another), with
     * preconditions on those keys only: it needs no read, because its compares say what it assumes
     * and its writes are right whatever else is there. Returns null for any other transaction. If
     * the compares fail, the caller plans again from a read, which finds the refusal or the truth.
     *
     * @param owner the namespace key's value as last read, or null if not known yet: the compare pins
     *     it and the root's rewrite keeps it
     * @param known the marker revisions of the keys put if every one is thought to be a value
     *     already ({@link KnownValues}), else null: then only those values' keys are written
     *     ({@link #replacing}); otherwise {@link #creating} writes them and makes or rewrites the
     *     markers above, which needs the owner
     */
    Write blind(ByteSequence owner, Map<String, Long> known) {
        Set<String> targets = separateTargets(ops, Txn.Op.Kind.APPEND);
        if (targets == null) {
            return null;
        }
        for (Txn.Precondition p : preconditions) {
            if (!targets.contains(Layout.path(p.key()))) {
                return null;
            }
        }
        Write replacing = known != null ? replacing(known) : null;
        return replacing != null || owner == null ? replacing : creating(owner);
    }

    /** The paths put, if the transaction is only puts on separate keys, none beneath another; null otherwise. */
    List<String> puts() {
        Set<String> targets = separateTargets(ops, Txn.Op.Kind.PUT);
        return targets == null ? null : List.copyOf(targets);
    }

    /**
     * The paths of {@code ops} if each is a put or a {@code kind} on a key of its own, none beneath
     * another; null otherwise.
     */
    private static Set<String> separateTargets(List<Txn.Op> ops, Txn.Op.Kind kind) {
        Set<String> targets = new TreeSet<>();
        for (Txn.Op op : ops) {
            if (op.kind() != Txn.Op.Kind.PUT && op.kind() != kind || !targets.add(Layout.path(op.key()))) {
                return null;
            }
        }
        for (String t : targets) {
            for (String a : Layout.ancestors(t)) {
                if (targets.contains(a)) {
                    return null;
                }
            }
        }
        return targets;
    }

    /**
     * The puts, if every key put is a value already and no precondition asks for a missing key;
     * null otherwise. Only each value's put bytes are rewritten (their mod revision is its version
     * now): one key, like a raw etcd put. Nothing changes shape, so no marker is written, the
     * value's own included (a value's version is read as the later of its marker's and its
     * bytes'; a directory's as the latest beneath it). One compare per key, that its marker is
     * still at the revision {@code known} ({@link KnownValues}), says all the put needs: the key
     * is a value with bytes of a put, and nothing was appended to it since, so it has no pieces.
     */
    private Write replacing(Map<String, Long> known) {
        Map<String, Cmp> compares = new LinkedHashMap<>();
        for (Txn.Precondition p : preconditions) {
            if (p.version() == Txn.ABSENT) {
                return null;
            }
            byte[] dir = dirKey(Layout.path(p.key()));
            // Its version is the later of its marker's and its bytes': a put last (the bytes), usually.
            compares.put("pre:" + Layout.path(p.key()), new Cmp(Layout.bytes(Layout.putBytesKey(dir)), Cmp.Op.EQUAL,
                    CmpTarget.modRevision(p.version())));
            compares.put("pre<:" + Layout.path(p.key()), new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.LESS,
                    CmpTarget.modRevision(p.version() + 1)));
        }
        List<Op> writes = new ArrayList<>();
        long bytes = 0;
        for (Txn.Op op : ops) {
            if (op.kind() != Txn.Op.Kind.PUT) {
                return null;
            }
            String path = Layout.path(op.key());
            byte[] dir = dirKey(path);
            compares.put("v:" + path, new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.EQUAL,
                    CmpTarget.modRevision(known.get(path))));
            writes.add(put(Layout.putBytesKey(dir), op.value()));
            bytes += op.value().length + dir.length + OP_OVERHEAD;
        }
        Write w = new Write(List.copyOf(compares.values()), writes, bytes, r -> known);
        check(w);
        return w;
    }

    /**
     * For a write that makes every key put a value with bytes of a put and writes its marker (only
     * puts, on separate keys): the marker revisions it leaves, all the write's own; else null.
     */
    private Function<TxnResponse, Map<String, Long>> markersWritten() {
        List<String> puts = puts();
        if (puts == null) {
            return null;
        }
        return r -> {
            Map<String, Long> written = new HashMap<>();
            puts.forEach(p -> written.put(p, r.getHeader().getRevision()));
            return written;
        };
    }

    /**
     * The puts and appends whatever is at their keys now: the compares say what they assume (no
     * parent is a value; an appended key is a value; a required key is a value at that version), a
     * put clears whatever was at its key, and every directory above and the namespace's key are
     * rewritten (a key may be made beneath them).
     */
    private Write creating(ByteSequence owner) {
        Map<String, Cmp> compares = new LinkedHashMap<>();
        compares.put("ns", new Cmp(namespaceKey, Cmp.Op.EQUAL, CmpTarget.value(owner)));
        for (Txn.Precondition p : preconditions) {
            String path = Layout.path(p.key());
            byte[] dir = dirKey(path);
            if (p.version() == Txn.ABSENT) {
                compares.put("d:" + path, new Cmp(Layout.bytes(dir), Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
                compares.put("v:" + path, new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
                compares.put("l:" + path, new Cmp(Layout.bytes(Layout.linkKey(dir)), Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
            } else {
                // The version is the later of the marker's and the bytes': an append or a creation last, here.
                compares.put("pre:" + path, new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.EQUAL,
                        CmpTarget.modRevision(p.version())));
                compares.put("pre<:" + path, new Cmp(Layout.bytes(Layout.putBytesKey(dir)), Cmp.Op.LESS,
                        CmpTarget.modRevision(p.version() + 1)));
            }
        }
        Set<String> parents = new TreeSet<>();
        List<Op> writes = new ArrayList<>();
        long bytes = 0;
        for (Txn.Op op : ops) {
            String path = Layout.path(op.key());
            byte[] dir = dirKey(path);
            parents.addAll(Layout.ancestors(path));
            bytes += op.value().length + 4L * (dir.length + OP_OVERHEAD);
            writes.add(put(Layout.valueKey(dir), new byte[0]));
            if (op.kind() == Txn.Op.Kind.APPEND) {
                compares.put("a:" + path, new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.GREATER, CmpTarget.createRevision(0)));
                writes.add(put(Layout.appendKey(dir, appendId), op.value()));
            } else {
                writes.add(put(Layout.putBytesKey(dir), op.value()));
                byte[][] appended = Layout.appendRange(dir);
                writes.add(delete(appended[0], appended[1]));
                writes.add(delete(dir, null));
                writes.add(delete(Layout.linkKey(dir), null));
                byte[][] beneath = Layout.childRange(dir);
                writes.add(delete(beneath[0], beneath[1]));
            }
        }
        for (String a : parents) {
            byte[] dir = dirKey(a);
            compares.put("v:" + a, new Cmp(Layout.bytes(Layout.valueKey(dir)), Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
            compares.put("l:" + a, new Cmp(Layout.bytes(Layout.linkKey(dir)), Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
            writes.add(Op.put(Layout.bytes(dir), Layout.bytes(Layout.DIR_VALUE), PutOption.DEFAULT));
        }
        writes.add(Op.put(namespaceKey, owner, PutOption.DEFAULT));
        Write w = new Write(List.copyOf(compares.values()), writes, bytes, markersWritten());
        check(w);
        return w;
    }

    // ---------------------------------------------------------------- reading

    /** The gets of the read transaction, in the order {@link #plan} expects their responses. */
    List<Op> reads() {
        List<Op> gets = new ArrayList<>();
        gets.add(Op.get(namespaceKey, GetOption.DEFAULT));
        for (String path : readSet) {
            byte[][] r = Layout.nodeRange(dirKey(path));
            gets.add(Op.get(Layout.bytes(r[0]), GetOption.builder().withRange(Layout.bytes(r[1])).build()));
        }
        for (String path : clearing) {
            byte[][] r = Layout.childRange(dirKey(path));
            gets.add(Op.get(Layout.bytes(r[0]), GetOption.builder().withRange(Layout.bytes(r[1])).withCountOnly(true).build()));
        }
        for (String path : listing) {
            gets.add(keys(Layout.childRange(dirKey(path))));
        }
        for (String path : pinned) {
            gets.add(keys(path.isEmpty() ? Layout.namespaceRange(dataPrefix) : Layout.childRange(dirKey(path))));
        }
        if (gets.size() > MAX_OPS) {
            throw new LimitExceededException("this transaction touches " + (gets.size() - 1) + " keys and directories;"
                    + " etcd reads at most " + MAX_OPS + " in one transaction: split it");
        }
        return gets;
    }

    /** The keys (only) of a range, at most one more than {@link #MAX_OPS}. */
    private static Op keys(byte[][] range) {
        return Op.get(Layout.bytes(range[0]), GetOption.builder().withRange(Layout.bytes(range[1])).withKeysOnly(true)
                .withLimit(MAX_OPS + 1).build());
    }

    private byte[] dirKey(String path) {
        return Layout.dirKey(dataPrefix, path);
    }

    // ---------------------------------------------------------------- planning

    /** One node of the picture: what was read, and what the transaction makes of it. */
    private static final class Sim {
        final EtcdNode initial;
        long children;                      // counted children (clearing targets only), -1 unknown
        List<ByteSequence> childKeys;       // listed keys beneath (listing targets only)
        EtcdNode.Kind kind;
        boolean cleared;                    // the initial subtree beneath is gone
        boolean removedOnce;                // the initial node was removed or replaced at some point
        boolean put;                        // the last value came from a put (bytes below)
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String link;                        // the symlink's target, if it is one now
        boolean changed;                    // a put, append, removal, mkdir or symlink happened here

        Sim(EtcdNode initial) {
            this.initial = initial;
            this.kind = initial.kind();
            this.link = initial.link();
        }

        /** The whole value as the transaction has made it so far. */
        byte[] value() {
            if (initial.kind() == EtcdNode.Kind.VALUE && !removedOnce && !put) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                all.writeBytes(initial.value());
                all.writeBytes(bytes.toByteArray());
                return all.toByteArray();
            }
            return bytes.toByteArray();
        }
    }

    /** The write transaction: compares and operations; {@code bytes} is about what it sends. */
    /**
     * One etcd transaction: compares, then operations. {@code markers}, if not null, says from its
     * response what {@link KnownValues} may remember of the keys put: their marker revisions.
     */
    record Write(List<Cmp> compares, List<Op> ops, long bytes, Function<TxnResponse, Map<String, Long>> markers) {
    }

    /** The namespace key's value the last {@link #plan} read: its owner, for later blind writes. */
    private ByteSequence owner;

    ByteSequence owner() {
        return owner;
    }

    /**
     * Plans the write from the read transaction's gets.
     *
     * @throws ConflictException if a precondition does not hold at the read revision
     * @throws NotADirectoryException or {@link NotAValueException} for an invalid operation
     * @throws NoSuchNamespaceException if the namespace does not exist
     * @throws LimitExceededException if the write is over etcd's limits
     */
    Write plan(List<GetResponse> read) {
        if (read.get(0).getKvs().isEmpty()) {
            throw new NoSuchNamespaceException("no namespace '" + namespace + "'");
        }
        KeyValue ns = read.get(0).getKvs().get(0);
        owner = ns.getValue();
        Map<String, Sim> sims = new TreeMap<>();
        int i = 1;
        for (String path : readSet) {
            sims.put(path, new Sim(EtcdNode.of(dirKey(path), read.get(i++).getKvs())));
        }
        for (String path : clearing) {
            sims.get(path).children = read.get(i++).getCount();
        }
        for (String path : listing) {
            List<KeyValue> keys = read.get(i++).getKvs();
            sims.get(path).childKeys = keys.stream().map(KeyValue::getKey).toList();
        }
        Map<String, List<KeyValue>> beneath = new java.util.HashMap<>();
        for (String path : pinned) {
            beneath.put(path, read.get(i++).getKvs());
        }
        Map<String, Cmp> compares = new LinkedHashMap<>();
        compares.put("ns", new Cmp(namespaceKey, Cmp.Op.EQUAL, CmpTarget.createRevision(ns.getCreateRevision())));
        for (Txn.Precondition p : preconditions) {
            pin(p, ns, sims, beneath.get(Layout.path(p.key())), compares);
        }
        for (Txn.Op op : ops) {
            apply(sims, op);
        }
        return write(sims, compares, ns.getValue());
    }

    /**
     * Checks a precondition against what was read and adds the compares that keep it true until the
     * write: a value's or symlink's marker; a directory's marker and every value and symlink marker
     * beneath it ({@code under}, listed), whose latest mod revision is the directory's version.
     */
    private void pin(Txn.Precondition p, KeyValue ns, Map<String, Sim> sims, List<KeyValue> under, Map<String, Cmp> compares) {
        String path = Layout.path(p.key());
        EtcdNode node = path.isEmpty() ? EtcdNode.directory(ns.getCreateRevision(), ns.getModRevision()) : sims.get(path).initial;
        if (node.isDirectory() && under.size() > MAX_OPS) {
            throw new LimitExceededException("a precondition on directory '" + (path.isEmpty() ? "." : path) + "' compares"
                    + " every value beneath it on etcd, and it holds more than " + MAX_OPS + " keys; require a value"
                    + " that changes with it instead");
        }
        List<KeyValue> markers = new ArrayList<>();
        if (node.isDirectory()) {
            for (KeyValue kv : under) {
                Layout.Located at = Layout.locate(dataPrefix, kv.getKey().getBytes());
                if (at != null && (at.piece() == Layout.Piece.VALUE || at.piece() == Layout.Piece.PUT_BYTES
                        || at.piece() == Layout.Piece.LINK)) {
                    markers.add(kv);
                    node = node.beneath(kv.getModRevision());
                }
            }
        }
        if (node.version() != p.version()) {
            throw new ConflictException(namespace, p.key(), p.version(), node.version());
        }
        if (p.version() == Txn.ABSENT) {
            return;                             // guarded as a missing node
        }
        byte[] marker = path.isEmpty() ? namespaceKey.getBytes() : switch (node.kind()) {
            case DIR -> dirKey(path);
            case LINK -> Layout.linkKey(dirKey(path));
            default -> Layout.valueKey(dirKey(path));
        };
        compares.put("pre:" + path, new Cmp(Layout.bytes(marker), Cmp.Op.EQUAL, CmpTarget.modRevision(node.marker())));
        if (node.kind() == EtcdNode.Kind.VALUE) {
            compares.put("pre<:" + path, bytesUnchanged(path, node));
        }
        for (KeyValue kv : markers) {
            compares.put("pre:" + kv.getKey().toString(java.nio.charset.StandardCharsets.ISO_8859_1),
                    new Cmp(kv.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(kv.getModRevision())));
        }
    }

    /** A value's put bytes have not been rewritten since it was read at {@code node}'s version. */
    private Cmp bytesUnchanged(String path, EtcdNode node) {
        return new Cmp(Layout.bytes(Layout.putBytesKey(dirKey(path))), Cmp.Op.LESS, CmpTarget.modRevision(node.version() + 1));
    }

    private void apply(Map<String, Sim> sims, Txn.Op op) {
        String path = Layout.path(op.key());
        Sim node = sims.get(path);
        switch (op.kind()) {
            case PUT -> put(sims, path, node, op.value());
            case APPEND -> {
                makeParents(sims, path);
                if (node.kind == EtcdNode.Kind.DIR) {
                    throw new NotAValueException("cannot append to '" + op.key() + "': it is a directory");
                }
                if (node.kind == EtcdNode.Kind.LINK) {
                    throw new NotAValueException("cannot append to '" + op.key() + "': it is a symlink to '" + node.link
                            + "' (writes do not follow symlinks)");
                }
                if (node.kind == EtcdNode.Kind.MISSING) {
                    node.kind = EtcdNode.Kind.VALUE;
                }
                node.bytes.writeBytes(op.value());
                node.changed = true;
            }
            case UNLINK -> {
                for (String a : Layout.ancestors(path)) {
                    if (sims.get(a).kind != EtcdNode.Kind.DIR) {
                        return;                 // beneath a value or a missing key: nothing to remove
                    }
                }
                if (node.kind != EtcdNode.Kind.MISSING) {
                    replace(sims, path, node, EtcdNode.Kind.MISSING);
                }
            }
            case MKDIR -> {
                makeParents(sims, path);
                replace(sims, path, node, EtcdNode.Kind.DIR);
            }
            case SYMLINK -> symlink(sims, path, node, op.link());
            case COPY, MOVE -> {
                String from = Layout.path(op.source());
                Sim source = sims.get(from);
                boolean reachable = Layout.ancestors(from).stream().allMatch(a -> sims.get(a).kind == EtcdNode.Kind.DIR);
                String verb = op.kind().name().toLowerCase(java.util.Locale.ROOT);
                switch (reachable ? source.kind : EtcdNode.Kind.MISSING) {
                    case MISSING -> throw new NoSuchKeyException("cannot " + verb + " '" + op.source() + "' to '"
                            + op.key() + "': '" + op.source() + "' is missing");
                    case DIR -> throw new NotSupportedException("cannot " + verb + " directory '" + op.source()
                            + "' on etcd: its flat key space shares no structure, so a copy would write every key"
                            + " beneath it; copy its values one by one");
                    case VALUE -> put(sims, path, node, source.value());
                    case LINK -> symlink(sims, path, node, source.link);
                }
                if (op.kind() == Txn.Op.Kind.MOVE) {
                    replace(sims, from, source, EtcdNode.Kind.MISSING);
                }
            }
        }
    }

    private static void put(Map<String, Sim> sims, String path, Sim node, byte[] value) {
        makeParents(sims, path);
        replace(sims, path, node, EtcdNode.Kind.VALUE);
        node.put = true;
        node.bytes = new ByteArrayOutputStream();
        node.bytes.writeBytes(value);
    }

    private static void symlink(Map<String, Sim> sims, String path, Sim node, String target) {
        makeParents(sims, path);
        replace(sims, path, node, EtcdNode.Kind.LINK);
        node.link = target;
    }

    private static void makeParents(Map<String, Sim> sims, String path) {
        for (String a : Layout.ancestors(path)) {
            Sim s = sims.get(a);
            if (s.kind == EtcdNode.Kind.VALUE) {
                throw new NotADirectoryException("'" + a + "' is a value, not a directory");
            }
            if (s.kind == EtcdNode.Kind.LINK) {
                throw new NotADirectoryException("'" + a + "' is a symlink to '" + s.link + "', not a directory;"
                        + " writes do not follow symlinks: write beneath its target instead");
            }
            if (s.kind == EtcdNode.Kind.MISSING) {
                s.kind = EtcdNode.Kind.DIR;
                s.changed = true;
            }
        }
    }

    /** Makes {@code node} a fresh {@code kind}: whatever was there and beneath it is gone. */
    private static void replace(Map<String, Sim> sims, String path, Sim node, EtcdNode.Kind kind) {
        if (node.kind == EtcdNode.Kind.DIR) {
            node.cleared = true;
            for (Map.Entry<String, Sim> e : sims.entrySet()) {
                if (e.getKey().startsWith(path + ".")) {
                    Sim below = e.getValue();
                    below.kind = EtcdNode.Kind.MISSING;
                    below.removedOnce = true;
                    below.put = false;
                    below.bytes = new ByteArrayOutputStream();
                    below.link = null;
                }
            }
        }
        if (node.kind != EtcdNode.Kind.MISSING) {
            node.removedOnce = true;
        }
        node.kind = kind;
        node.put = false;
        node.bytes = new ByteArrayOutputStream();
        node.link = null;
        node.changed = true;
    }

    // ---------------------------------------------------------------- writing

    private Write write(Map<String, Sim> sims, Map<String, Cmp> compares, ByteSequence owner) {
        List<Op> writes = new ArrayList<>();
        Set<String> netChanged = new TreeSet<>();
        for (Map.Entry<String, Sim> e : sims.entrySet()) {
            if (netChange(e.getValue())) {
                netChanged.add(e.getKey());
            }
        }
        Set<String> touched = new TreeSet<>();
        for (String path : netChanged) {
            touched.addAll(Layout.ancestors(path));
        }
        long bytes = 0;
        for (Map.Entry<String, Sim> e : sims.entrySet()) {
            String path = e.getKey();
            Sim s = e.getValue();
            guard(path, s, compares);
            boolean changed = netChanged.contains(path);
            if (!changed && !(touched.contains(path) && s.kind == EtcdNode.Kind.DIR)) {
                continue;
            }
            bytes += writeNode(path, s, changed, sims, writes);
        }
        // The root's version moves with every commit, so every commit has a revision of its own.
        writes.add(Op.put(namespaceKey, owner, PutOption.DEFAULT));
        Write w = new Write(List.copyOf(compares.values()), writes, bytes, markersWritten());
        check(w);
        return w;
    }

    /** Whether a node ends unlike it started (appearing, going, changing kind or value, a non-empty directory cleared). */
    private static boolean netChange(Sim s) {
        EtcdNode.Kind from = s.initial.kind();
        if (!s.changed) {
            return false;
        }
        if (from != s.kind) {
            return true;
        }
        return switch (s.kind) {
            case MISSING -> false;
            case VALUE, LINK -> true;
            case DIR -> s.cleared && s.children != 0;
        };
    }

    private void guard(String path, Sim s, Map<String, Cmp> compares) {
        byte[] dir = dirKey(path);
        ByteSequence dirKey = Layout.bytes(dir);
        ByteSequence valueKey = Layout.bytes(Layout.valueKey(dir));
        ByteSequence linkKey = Layout.bytes(Layout.linkKey(dir));
        switch (s.initial.kind()) {
            case MISSING -> {
                compares.put("d:" + path, new Cmp(dirKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
                compares.put("v:" + path, new Cmp(valueKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
                compares.put("l:" + path, new Cmp(linkKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
            }
            case VALUE -> {
                compares.put("v:" + path, new Cmp(valueKey, Cmp.Op.EQUAL, CmpTarget.createRevision(s.initial.create())));
                if (sources.contains(path)) {
                    compares.put("s:" + path, new Cmp(valueKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.initial.marker())));
                    compares.put("s<:" + path, bytesUnchanged(path, s.initial));
                }
            }
            case LINK -> {
                compares.put("l:" + path, new Cmp(linkKey, Cmp.Op.EQUAL, CmpTarget.createRevision(s.initial.create())));
                if (sources.contains(path)) {
                    compares.put("s:" + path, new Cmp(linkKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.initial.marker())));
                }
            }
            case DIR -> {
                compares.put("d:" + path, new Cmp(dirKey, Cmp.Op.EQUAL, CmpTarget.createRevision(s.initial.create())));
                if (s.cleared) {
                    compares.put("m:" + path, new Cmp(dirKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.initial.marker())));
                }
            }
        }
    }

    /** Adds the writes that take a node from what was read to what the transaction made; returns their bytes. */
    private long writeNode(String path, Sim s, boolean changed, Map<String, Sim> sims, List<Op> writes) {
        byte[] dir = dirKey(path);
        EtcdNode.Kind from = s.initial.kind();
        long bytes = 0;
        if (changed && from == EtcdNode.Kind.VALUE && (s.kind != EtcdNode.Kind.VALUE || s.removedOnce || s.put)) {
            if (s.kind != EtcdNode.Kind.VALUE) {
                writes.add(delete(Layout.valueKey(dir), null));
                writes.add(delete(Layout.putBytesKey(dir), null));
            }
            byte[][] appended = Layout.appendRange(dir);
            writes.add(delete(appended[0], appended[1]));   // a value made afresh rewrites the rest
        }
        if (from == EtcdNode.Kind.DIR && (s.kind != EtcdNode.Kind.DIR || s.cleared)) {
            if (s.kind != EtcdNode.Kind.DIR) {
                writes.add(delete(dir, null));
            }
            if (s.children != 0) {
                clearBeneath(path, s, sims, writes);
            }
        }
        if (changed && from == EtcdNode.Kind.LINK && s.kind != EtcdNode.Kind.LINK) {
            writes.add(delete(Layout.linkKey(dir), null));
        }
        switch (s.kind) {
            case MISSING -> { }
            case DIR -> writes.add(Op.put(Layout.bytes(dir), Layout.bytes(Layout.DIR_VALUE), PutOption.DEFAULT));
            case LINK -> {
                byte[] target = s.link.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes += target.length;
                writes.add(put(Layout.linkKey(dir), target));
            }
            case VALUE -> {
                byte[] content = s.bytes.toByteArray();
                bytes += content.length;
                if (from == EtcdNode.Kind.VALUE && !s.removedOnce && !s.put) {
                    writes.add(put(Layout.valueKey(dir), new byte[0]));
                    writes.add(put(Layout.appendKey(dir, appendId), content));
                } else {
                    writes.add(put(Layout.valueKey(dir), new byte[0]));
                    writes.add(put(Layout.putBytesKey(dir), content));
                }
            }
        }
        return bytes + writes.size() * (long) (dir.length + OP_OVERHEAD);
    }

    /** Deletes everything beneath a cleared directory: by range, or key by key where the transaction writes beneath it. */
    private void clearBeneath(String path, Sim s, Map<String, Sim> sims, List<Op> writes) {
        if (s.childKeys == null) {
            byte[][] beneath = Layout.childRange(dirKey(path));
            writes.add(delete(beneath[0], beneath[1]));
            return;
        }
        if (s.childKeys.size() > MAX_OPS) {
            throw new LimitExceededException("cannot replace directory '" + path + "' and write beneath it in one etcd"
                    + " transaction: it holds more than " + MAX_OPS + " keys; unlink it in a transaction of its own first");
        }
        Set<ByteSequence> rewritten = new java.util.HashSet<>();
        for (Map.Entry<String, Sim> e : sims.entrySet()) {
            if (e.getKey().startsWith(path + ".") && e.getValue().kind != EtcdNode.Kind.MISSING) {
                byte[] d = dirKey(e.getKey());
                rewritten.add(Layout.bytes(d));
                rewritten.add(Layout.bytes(Layout.valueKey(d)));
                rewritten.add(Layout.bytes(Layout.putBytesKey(d)));
                rewritten.add(Layout.bytes(Layout.linkKey(d)));
            }
        }
        for (ByteSequence key : s.childKeys) {
            if (!rewritten.contains(key)) {
                writes.add(Op.delete(key, DeleteOption.DEFAULT));
            }
        }
    }

    private static Op put(byte[] key, byte[] value) {
        return Op.put(Layout.bytes(key), Layout.bytes(value), PutOption.DEFAULT);
    }

    private static Op delete(byte[] from, byte[] to) {
        return Op.delete(Layout.bytes(from), to == null ? DeleteOption.DEFAULT
                : DeleteOption.builder().withRange(Layout.bytes(to)).build());
    }

    private static void check(Write w) {
        long bytes = w.bytes();
        if (w.ops().size() > MAX_OPS || w.compares().size() > MAX_OPS) {
            throw new LimitExceededException("this transaction needs " + w.ops().size() + " etcd operations and "
                    + w.compares().size() + " compares; etcd takes at most " + MAX_OPS + " of each per transaction"
                    + " (each key written costs one to three, plus one per directory above it): split it");
        }
        if (bytes > MAX_REQUEST_BYTES) {
            throw new LimitExceededException("this transaction writes about " + bytes + " bytes; etcd takes at most "
                    + MAX_REQUEST_BYTES + " bytes per request: split it, or append the value in pieces");
        }
    }

    @Override
    public String toString() {
        return "CommitPlan[" + namespace + " " + txn.ops().size() + " ops]";
    }
}
