package dev.weft.kvs.etcd;

import dev.weft.kvs.KvsException;
import io.etcd.jetcd.ByteSequence;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Where a store's namespaces and nodes live in etcd's flat key space, under the store's prefix P.
 *
 * <pre>
 *   P n/&lt;name&gt;                   a namespace: value = its owner; mod revision = the root's version
 *   P d/&lt;name&gt;/a.b              directory a.b (value "d"); mod revision = its version
 *   P d/&lt;name&gt;/a.b \0           value a.b (empty); mod revision = its version
 *   P d/&lt;name&gt;/a.b \0 \1        the bytes its last put wrote
 *   P d/&lt;name&gt;/a.b \0 \2 &lt;id&gt;   the bytes of one append since (ordered by create revision, then id)
 *   P d/&lt;name&gt;/a.b \0 \3        symlink a.b: value = its target; mod revision = its version
 * </pre>
 *
 * Names are URL-encoded (so they hold no '/'); keys are their dot-joined segments, which hold no
 * '.' and, on etcd, no NUL. Everything beneath directory D starts with "D." and its own keys with
 * "D" or "D\0": a directory's subtree and a value's pieces are each one key range.
 */
final class Layout {
    static final byte[] DIR_VALUE = {'d'};
    private static final byte NUL = 0;
    private static final byte PUT = 1;
    private static final byte APPEND = 2;
    private static final byte LINK = 3;

    private final String prefix;

    Layout(String prefix) {
        this.prefix = prefix;
    }

    /** Returns the kind of a node key or its pieces, as it appears in a watch or a range. */
    enum Piece { DIR, VALUE, PUT_BYTES, APPENDED, LINK, OTHER }

    ByteSequence namespacesPrefix() {
        return bytes(prefix + "n/");
    }

    ByteSequence namespaceKey(String name) {
        return bytes(prefix + "n/" + encode(name));
    }

    String namespaceName(ByteSequence key) {
        String s = key.toString(StandardCharsets.UTF_8);
        return URLDecoder.decode(s.substring(prefix.length() + 2), StandardCharsets.UTF_8);
    }

    /** The prefix of every node of a namespace; a node's key is this followed by its path. */
    byte[] dataPrefix(String name) {
        return (prefix + "d/" + encode(name) + "/").getBytes(StandardCharsets.UTF_8);
    }

    /** The key of the directory marker at {@code path} (segments joined by '.'; never the root). */
    static byte[] dirKey(byte[] dataPrefix, String path) {
        if (path.indexOf('\0') >= 0) {
            throw new KvsException("a key on etcd must not contain NUL: '" + path.replace("\0", "\\0") + "'");
        }
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] k = Arrays.copyOf(dataPrefix, dataPrefix.length + p.length);
        System.arraycopy(p, 0, k, dataPrefix.length, p.length);
        return k;
    }

    static byte[] valueKey(byte[] dirKey) {
        return suffixed(dirKey, NUL);
    }

    static byte[] putBytesKey(byte[] dirKey) {
        return suffixed(dirKey, NUL, PUT);
    }

    static byte[] appendKey(byte[] dirKey, byte[] id) {
        byte[] base = suffixed(dirKey, NUL, APPEND);
        byte[] k = Arrays.copyOf(base, base.length + id.length);
        System.arraycopy(id, 0, k, base.length, id.length);
        return k;
    }

    static byte[] linkKey(byte[] dirKey) {
        return suffixed(dirKey, NUL, LINK);
    }

    /** The range of a value's appended pieces: [K\0\2, K\0\3). */
    static byte[][] appendRange(byte[] dirKey) {
        return new byte[][] {suffixed(dirKey, NUL, APPEND), suffixed(dirKey, NUL, (byte) (APPEND + 1))};
    }

    /** The range of a node's own keys: its marker and, for a value, its pieces: [K, K\0\4). */
    static byte[][] nodeRange(byte[] dirKey) {
        return new byte[][] {dirKey, suffixed(dirKey, NUL, (byte) (LINK + 1))};
    }

    /** The range of everything beneath directory K: [K., K/). */
    static byte[][] childRange(byte[] dirKey) {
        return new byte[][] {suffixed(dirKey, (byte) '.'), suffixed(dirKey, (byte) ('.' + 1))};
    }

    /** The range of every node of a namespace: [P d/&lt;name&gt;/, P d/&lt;name&gt;0). */
    static byte[][] namespaceRange(byte[] dataPrefix) {
        byte[] end = dataPrefix.clone();
        end[end.length - 1]++;
        return new byte[][] {dataPrefix, end};
    }

    /** The range of a node, its pieces and everything beneath it, with siblings named K + a byte below '/': [K, K/). */
    static byte[][] subtreeRange(byte[] dirKey) {
        return new byte[][] {dirKey, suffixed(dirKey, (byte) ('.' + 1))};
    }

    /**
     * Splits a key of a namespace into its node's path and piece. Returns null for a key outside
     * {@code dataPrefix}.
     */
    static Located locate(byte[] dataPrefix, byte[] key) {
        if (key.length < dataPrefix.length || !Arrays.equals(key, 0, dataPrefix.length, dataPrefix, 0, dataPrefix.length)) {
            return null;
        }
        int nul = -1;
        for (int i = dataPrefix.length; i < key.length; i++) {
            if (key[i] == NUL) {
                nul = i;
                break;
            }
        }
        if (nul < 0) {
            return new Located(new String(key, dataPrefix.length, key.length - dataPrefix.length, StandardCharsets.UTF_8),
                    Piece.DIR);
        }
        String path = new String(key, dataPrefix.length, nul - dataPrefix.length, StandardCharsets.UTF_8);
        Piece piece = nul == key.length - 1 ? Piece.VALUE
                : key[nul + 1] == PUT && nul + 2 == key.length ? Piece.PUT_BYTES
                : key[nul + 1] == APPEND ? Piece.APPENDED
                : key[nul + 1] == LINK && nul + 2 == key.length ? Piece.LINK : Piece.OTHER;
        return new Located(path, piece);
    }

    /** A key's node path and which of its pieces it is. */
    record Located(String path, Piece piece) {
    }

    /** Returns the path of the node {@code child} names within directory {@code dir} ("" for the root). */
    static String join(String dir, String child) {
        return dir.isEmpty() ? child : dir + "." + child;
    }

    /** The path of {@code key}'s node: its segments joined by '.', "" for the root. */
    static String path(String key) {
        return String.join(".", dev.weft.kvs.Keys.segments(key));
    }

    /** The ancestors of {@code path}, nearest the root first, without the root and without itself. */
    static List<String> ancestors(String path) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) {
            out.add(path.substring(0, i));
        }
        return out;
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static ByteSequence bytes(byte[] b) {
        return ByteSequence.from(b);
    }

    private static byte[] suffixed(byte[] key, byte... suffix) {
        byte[] k = Arrays.copyOf(key, key.length + suffix.length);
        System.arraycopy(suffix, 0, k, key.length, suffix.length);
        return k;
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
