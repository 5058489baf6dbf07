package dev.weft.kvs;

import dev.weft.runtime.Sink;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The KVS network protocol's encoding (see docs/kvs.md, "Network protocol"). A frame is a 4-byte
 * big-endian body length and the body; a body is a type byte, an 8-byte request id and the type's
 * fields. Strings are a 4-byte length and UTF-8; byte strings a 4-byte length ({@code -1} for null)
 * and the bytes; lists a 4-byte count and the items.
 */
final class Wire {
    /** The bytes of a frame's length prefix. */
    static final int HEADER = 4;
    /** The smallest body: a type and a request id. */
    static final int MIN_BODY = 9;
    /** The smallest item of a {@code NAMESPACES} reply: two empty strings and a version. */
    static final int NAMESPACE_ENTRY_MIN_BYTES = 4 + 4 + 8;

    // Requests (client to server).
    static final byte AUTH = 1;
    static final byte GET = 2;
    static final byte LIST = 3;
    static final byte COMMIT = 4;
    static final byte VERSION = 5;
    static final byte WAIT_VERSION = 6;
    static final byte WATCH = 7;
    static final byte CANCEL_WATCH = 8;
    static final byte NS_CREATE = 9;
    static final byte NS_REMOVE = 10;
    static final byte NS_LIST = 11;
    /** Added after the first release of the protocol: a wait the server ends by itself at a timeout. */
    static final byte WAIT_VERSION_FOR = 12;
    /** Added with the common store contract: a read that also tells a directory from a value. */
    static final byte ENTRY = 13;
    /** Added with symlinks and copies: a COMMIT whose operations may also be symlink, copy and move. */
    static final byte TXN = 14;
    /** Added with symlinks: a read of the node at a key itself, answered by an ENTRY that may be a symlink. */
    static final byte READLINK = 15;
    /** The highest request type this version of the protocol knows. */
    static final byte LAST_REQUEST = READLINK;

    // Replies and events (server to client).
    static final byte R_VALUE = 64;
    static final byte R_LISTING = 65;
    static final byte R_VERSION = 66;
    static final byte R_WATCHING = 67;
    static final byte R_NAMESPACES = 68;
    static final byte R_DONE = 69;
    static final byte R_ERROR = 70;
    static final byte R_EVENT = 71;
    static final byte R_ENTRY = 72;

    // Error codes.
    static final byte E_BAD_FRAME = 1;
    static final byte E_FRAME_TOO_LARGE = 2;
    static final byte E_AUTH = 3;
    static final byte E_CONFLICT = 4;
    static final byte E_FAILED = 5;
    static final byte E_LIMIT = 6;
    static final byte E_NOT_RETAINED = 7;
    static final byte E_NOT_A_VALUE = 8;
    static final byte E_NOT_A_DIRECTORY = 9;
    static final byte E_NO_NAMESPACE = 10;
    static final byte E_NAMESPACE_EXISTS = 11;
    static final byte E_LINK_LOOP = 12;
    static final byte E_PERMISSION = 13;
    static final byte E_NO_SUCH_KEY = 14;

    // Kinds of node in an ENTRY reply.
    private static final byte KIND_MISSING = 0;
    private static final byte KIND_VALUE = 1;
    private static final byte KIND_DIRECTORY = 2;
    private static final byte KIND_SYMLINK = 3;

    // Transaction operations (Txn.Op.Kind ordinals would tie the wire to an enum's order).
    private static final byte OP_PUT = 1;
    private static final byte OP_APPEND = 2;
    private static final byte OP_UNLINK = 3;
    private static final byte OP_MKDIR = 4;
    private static final byte OP_SYMLINK = 5;
    private static final byte OP_COPY = 6;
    private static final byte OP_MOVE = 7;

    // Watch event kinds.
    private static final byte EV_VALUE = 1;
    private static final byte EV_APPENDED = 2;
    private static final byte EV_DIR = 3;
    private static final byte EV_ENDED = 4;

    private Wire() {
    }

    /** A frame that does not follow the protocol; the connection that sent it is closed. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** Builds one frame: the length prefix is filled in by {@link #frame()}. */
    static final class Out {
        private byte[] buf = new byte[64];
        private int len = HEADER;

        Out(byte type, long id) {
            u8(type).i64(id);
        }

        Out u8(int b) {
            ensure(1);
            buf[len++] = (byte) b;
            return this;
        }

        Out i32(int v) {
            ensure(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Out i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Out bytes(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        Out str(String s) {
            return bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        Out strs(List<String> list) {
            i32(list.size());
            list.forEach(this::str);
            return this;
        }

        /** Returns the finished frame, length prefix included. */
        byte[] frame() {
            int body = len - HEADER;
            buf[0] = (byte) (body >>> 24);
            buf[1] = (byte) (body >>> 16);
            buf[2] = (byte) (body >>> 8);
            buf[3] = (byte) body;
            return buf.length == len ? buf : Arrays.copyOf(buf, len);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                long grown = Math.max((long) buf.length * 2, (long) len + more);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new KvsException("frame too large to encode");
                }
                buf = Arrays.copyOf(buf, (int) grown);
            }
        }
    }

    /** Reads one body; every read checks what is left, so no field can make it allocate more than the body holds. */
    static final class In {
        final byte type;
        final long id;
        private final ByteBuffer buf;

        In(byte[] body) {
            this.buf = ByteBuffer.wrap(body);
            if (body.length < MIN_BODY) {
                throw new Malformed("a frame body needs at least " + MIN_BODY + " bytes, got " + body.length);
            }
            this.type = buf.get();
            this.id = buf.getLong();
        }

        int u8() {
            try {
                return buf.get() & 0xff;
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        int i32() {
            try {
                return buf.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() {
            try {
                return buf.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        byte[] bytes() {
            int n = i32();
            if (n == -1) {
                return null;
            }
            if (n < 0 || n > buf.remaining()) {
                throw new Malformed("a byte string of " + n + " bytes in a frame with " + buf.remaining() + " left");
            }
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        String str() {
            byte[] b = bytes();
            if (b == null) {
                throw new Malformed("a null string");
            }
            return new String(b, StandardCharsets.UTF_8);
        }

        /** Reads a count of items that each take at least {@code minItemBytes}. */
        int count(int minItemBytes) {
            int n = i32();
            if (n < 0 || (long) n * minItemBytes > buf.remaining()) {
                throw new Malformed("a list of " + n + " items in a frame with " + buf.remaining() + " bytes left");
            }
            return n;
        }

        List<String> strs() {
            int n = count(4);
            List<String> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(str());
            }
            return list;
        }

        /** Checks that the body has been read to its end. */
        void end() {
            if (buf.hasRemaining()) {
                throw new Malformed(buf.remaining() + " unexpected bytes after the fields of a frame of type " + type);
            }
        }

        private Malformed truncated() {
            return new Malformed("a frame of type " + type + " ends in the middle of a field");
        }
    }

    // ---------------------------------------------------------------- transactions

    /**
     * Encodes a commit: as {@code COMMIT} if it has only the first four kinds of operation (so a
     * server that predates the others still takes it), else as {@code TXN}.
     */
    static Out commit(long id, String namespace, Txn txn) {
        List<Txn.Op> ops = txn.ops();
        boolean extended = ops.stream().anyMatch(op -> op.kind().ordinal() > Txn.Op.Kind.MKDIR.ordinal());
        Out out = new Out(extended ? TXN : COMMIT, id).str(namespace);
        List<Txn.Precondition> pre = txn.preconditions();
        out.i32(pre.size());
        for (Txn.Precondition p : pre) {
            out.str(p.key()).i64(p.version());
        }
        out.i32(ops.size());
        for (Txn.Op op : ops) {
            switch (op.kind()) {
                case PUT -> out.u8(OP_PUT).str(op.key()).bytes(op.value());
                case APPEND -> out.u8(OP_APPEND).str(op.key()).bytes(op.value());
                case UNLINK -> out.u8(OP_UNLINK).str(op.key());
                case MKDIR -> out.u8(OP_MKDIR).str(op.key());
                case SYMLINK -> out.u8(OP_SYMLINK).str(op.key()).str(op.link());
                case COPY -> out.u8(OP_COPY).str(op.key()).str(op.source());
                case MOVE -> out.u8(OP_MOVE).str(op.key()).str(op.source());
            }
        }
        return out;
    }

    /**
     * Reads a transaction of a {@code COMMIT} or {@code TXN} frame. A structural fault throws
     * {@link Malformed}; a well-formed transaction with a bad key throws {@link KvsException} (the
     * request fails, the connection stays).
     */
    static Txn txn(In in) {
        Txn txn = new Txn();
        KvsException invalid = null;
        int pre = in.count(12);
        for (int i = 0; i < pre; i++) {
            String key = in.str();
            long version = in.i64();
            try {
                txn.require(key, version);
            } catch (KvsException | IllegalArgumentException e) {
                invalid = invalid != null ? invalid : new KvsException(e.getMessage());
            }
        }
        int ops = in.count(5);
        int lastKind = in.type == TXN ? OP_MOVE : OP_MKDIR;
        for (int i = 0; i < ops; i++) {
            int kind = in.u8();
            if (kind < OP_PUT || kind > lastKind) {
                throw new Malformed("unknown transaction operation " + kind + " in a frame of type " + in.type);
            }
            String key = in.str();
            byte[] value = kind == OP_PUT || kind == OP_APPEND ? in.bytes() : null;
            if ((kind == OP_PUT || kind == OP_APPEND) && value == null) {
                throw new Malformed("a put or append without a value");
            }
            String other = kind >= OP_SYMLINK ? in.str() : null;
            try {
                switch (kind) {
                    case OP_PUT -> txn.put(key, value);
                    case OP_APPEND -> txn.append(key, value);
                    case OP_UNLINK -> txn.unlink(key);
                    case OP_MKDIR -> txn.mkdir(key);
                    case OP_SYMLINK -> txn.symlink(key, other);
                    case OP_COPY -> txn.copy(other, key);
                    default -> txn.move(other, key);
                }
            } catch (KvsException e) {
                invalid = invalid != null ? invalid : e;
            }
        }
        in.end();
        if (invalid != null) {
            throw invalid;
        }
        return txn;
    }

    // ---------------------------------------------------------------- requests and replies

    /**
     * Decodes a request frame into the request the dispatcher handles, with a fresh reply future.
     * {@code AUTH} and {@code CANCEL_WATCH} are the connection's own business and not decoded here.
     *
     * @throws Malformed for an unknown type or a frame that does not follow its layout
     * @throws KvsException for a well-formed request the store must refuse (a bad key)
     */
    static KvsRequest request(In in, Sink<? super WatchEvent> events) {
        CompletableFuture<KvsReply> reply = new CompletableFuture<>();
        KvsRequest request = switch (in.type) {
            case GET, ENTRY -> {
                String ns = in.str();
                long version = in.i64();
                yield new KvsRequest.Get(ns, in.str(), version, reply);
            }
            case LIST -> {
                String ns = in.str();
                long version = in.i64();
                yield new KvsRequest.ListDir(ns, in.str(), version, reply);
            }
            case COMMIT, TXN -> new KvsRequest.Commit(in.str(), txn(in), reply);
            case READLINK -> {
                String ns = in.str();
                long version = in.i64();
                yield new KvsRequest.ReadLink(ns, in.str(), version, reply);
            }
            case VERSION -> new KvsRequest.GetVersion(in.str(), reply);
            case WAIT_VERSION -> new KvsRequest.WaitVersion(in.str(), in.i64(), null, reply);
            case WAIT_VERSION_FOR -> new KvsRequest.WaitVersion(in.str(), in.i64(), Duration.ofMillis(in.i64()), reply);
            case WATCH -> new KvsRequest.StartWatch(in.str(), in.str(), mode(in.u8()), events, reply);
            case NS_CREATE -> new KvsRequest.CreateNamespace(in.str(), in.str(), reply);
            case NS_REMOVE -> new KvsRequest.RemoveNamespace(in.str(), reply);
            case NS_LIST -> new KvsRequest.ListNamespaces(reply);
            default -> throw new Malformed("unknown request type " + in.type);
        };
        in.end();
        return request;
    }

    /** Encodes the reply to request {@code id} of frame type {@code requestType}. */
    static byte[] reply(byte requestType, long id, KvsReply reply) {
        Out out = switch (reply) {
            case KvsReply.Value(Entry e) when requestType == ENTRY || requestType == READLINK -> new Out(R_ENTRY, id)
                    .i64(e.version()).i64(e.keyVersion())
                    .u8(e.directory() ? KIND_DIRECTORY : e.symlink() ? KIND_SYMLINK : e.exists() ? KIND_VALUE : KIND_MISSING)
                    .bytes(e.symlink() ? e.link().getBytes(StandardCharsets.UTF_8) : e.value());
            case KvsReply.Value(Entry e) -> new Out(R_VALUE, id).i64(e.version()).i64(e.keyVersion()).bytes(e.valueOrNull());
            case KvsReply.Listing l -> new Out(R_LISTING, id).i64(l.version()).strs(l.names());
            case KvsReply.Version v -> new Out(R_VERSION, id).i64(v.version());
            case KvsReply.WatchStarted w -> new Out(R_WATCHING, id).i64(w.startVersion());
            case KvsReply.Namespaces n -> {
                Out o = new Out(R_NAMESPACES, id).i32(n.namespaces().size());
                n.namespaces().forEach(i -> o.str(i.name()).str(i.owner()).i64(i.version()));
                yield o;
            }
            case KvsReply.Done d -> new Out(R_DONE, id);
        };
        return out.frame();
    }

    /**
     * Reads an {@code ENTRY} reply of a read of {@code key} in {@code namespace}; a symlink (kind 3,
     * its target in the value field) answers only {@code READLINK}.
     */
    static Entry entry(In in, String namespace, String key) {
        long version = in.i64();
        long keyVersion = in.i64();
        int kind = in.u8();
        byte[] value = in.bytes();
        boolean carries = kind == KIND_VALUE || kind == KIND_SYMLINK;
        if (kind > KIND_SYMLINK || carries != (value != null)) {
            throw new Malformed("an entry of kind " + kind + (value == null ? " without" : " with") + " a value");
        }
        if (kind == KIND_SYMLINK) {
            return new Entry(namespace, key, version, keyVersion, false, null, new String(value, StandardCharsets.UTF_8));
        }
        return new Entry(namespace, key, version, keyVersion, kind == KIND_DIRECTORY, value);
    }

    // ---------------------------------------------------------------- watches

    static Out event(long id, WatchEvent event) {
        Out out = new Out(R_EVENT, id);
        switch (event) {
            case WatchEvent.Value v -> out.u8(EV_VALUE).str(v.key()).i64(v.version()).bytes(v.value());
            case WatchEvent.Appended a -> out.u8(EV_APPENDED).str(a.key()).i64(a.version()).bytes(a.bytes());
            case WatchEvent.DirChanged d -> out.u8(EV_DIR).str(d.key()).i64(d.version()).strs(d.changed());
            case WatchEvent.Ended e -> out.u8(EV_ENDED).str(e.key()).i64(e.version()).u8(e.reason().ordinal());
        }
        return out;
    }

    /** Reads an event; its watch id is the id of the request that started the watch. */
    static WatchEvent event(In in) {
        int kind = in.u8();
        String key = in.str();
        long version = in.i64();
        WatchEvent e = switch (kind) {
            case EV_VALUE -> new WatchEvent.Value(in.id, key, version, in.bytes());
            case EV_APPENDED -> new WatchEvent.Appended(in.id, key, version, in.bytes());
            case EV_DIR -> new WatchEvent.DirChanged(in.id, key, version, List.copyOf(in.strs()));
            case EV_ENDED -> new WatchEvent.Ended(in.id, key, version, reason(in.u8()));
            default -> throw new Malformed("unknown watch event kind " + kind);
        };
        in.end();
        return e;
    }

    static WatchMode mode(int ordinal) {
        WatchMode[] modes = WatchMode.values();
        if (ordinal >= modes.length) {
            throw new Malformed("unknown watch mode " + ordinal);
        }
        return modes[ordinal];
    }

    private static WatchEvent.Reason reason(int ordinal) {
        WatchEvent.Reason[] reasons = WatchEvent.Reason.values();
        if (ordinal >= reasons.length) {
            throw new Malformed("unknown watch end reason " + ordinal);
        }
        return reasons[ordinal];
    }

    // ---------------------------------------------------------------- errors

    static byte[] error(long id, byte code, String message) {
        return new Out(R_ERROR, id).u8(code).str(message).frame();
    }

    /** Encodes a refusal with the code of its exception type, so the client rethrows the same type. */
    static byte[] error(long id, RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        return switch (e) {
            case ConflictException c -> new Out(R_ERROR, id).u8(E_CONFLICT).str(message).str(c.namespace()).str(c.key())
                    .i64(c.expected()).i64(c.actual()).frame();
            case VersionNotRetainedException n -> new Out(R_ERROR, id).u8(E_NOT_RETAINED).str(message)
                    .str(n.namespace()).i64(n.version()).i64(n.latest()).frame();
            case NotAValueException n -> error(id, E_NOT_A_VALUE, message);
            case NotADirectoryException n -> error(id, E_NOT_A_DIRECTORY, message);
            case NoSuchNamespaceException n -> error(id, E_NO_NAMESPACE, message);
            case NamespaceExistsException n -> error(id, E_NAMESPACE_EXISTS, message);
            case SymlinkLoopException n -> error(id, E_LINK_LOOP, message);
            case PermissionDeniedException n -> error(id, E_PERMISSION, message);
            case NoSuchKeyException n -> error(id, E_NO_SUCH_KEY, message);
            case LimitExceededException n -> error(id, E_LIMIT, message);
            default -> error(id, E_FAILED, message);
        };
    }

    /** Turns an error body back into the exception the server reported, of the same type. */
    static KvsException error(In in) {
        int code = in.u8();
        String message = in.str();
        return switch (code) {
            case E_CONFLICT -> new ConflictException(in.str(), in.str(), in.i64(), in.i64());
            case E_NOT_RETAINED -> new VersionNotRetainedException(in.str(), in.i64(), in.i64());
            case E_NOT_A_VALUE -> new NotAValueException(message);
            case E_NOT_A_DIRECTORY -> new NotADirectoryException(message);
            case E_NO_NAMESPACE -> new NoSuchNamespaceException(message);
            case E_NAMESPACE_EXISTS -> new NamespaceExistsException(message);
            case E_LINK_LOOP -> new SymlinkLoopException(message);
            case E_PERMISSION -> new PermissionDeniedException(message);
            case E_NO_SUCH_KEY -> new NoSuchKeyException(message);
            case E_LIMIT -> new LimitExceededException(message);
            case E_AUTH -> new AuthenticationException("authentication failed: " + message);
            case E_FRAME_TOO_LARGE -> new LimitExceededException("the server refused a frame: " + message);
            case E_BAD_FRAME -> new KvsException("the server refused a frame: " + message);
            default -> new KvsException(message);
        };
    }
}
