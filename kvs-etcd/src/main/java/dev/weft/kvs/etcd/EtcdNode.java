package dev.weft.kvs.etcd;

import dev.weft.kvs.Txn;
import io.etcd.jetcd.KeyValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A node as one range read of its keys found it ({@link Layout#nodeRange}): a directory marker, a
 * symlink, or a value marker with the bytes of its last put and its appends since.
 *
 * @param kind what is there
 * @param create the create revision of its marker (0 if missing): stable while it stays what it is
 * @param marker the mod revision of its marker ({@link Txn#ABSENT} if missing): for a directory, its last
 *     structural change (a key beneath it made or removed, or the directory itself made)
 * @param version its key version: the marker's mod revision for a symlink; for a value, the latest of
 *     its marker's (rewritten by appends) and its put bytes' (rewritten alone by a put); for a directory,
 *     the latest mod revision of its marker and every key beneath it ({@link #beneath})
 * @param value the value's bytes (null unless a value)
 * @param link the symlink's target (null unless a symlink)
 */
record EtcdNode(Kind kind, long create, long marker, long version, byte[] value, String link) {
    enum Kind { MISSING, VALUE, DIR, LINK }

    static final EtcdNode MISSING = new EtcdNode(Kind.MISSING, 0, Txn.ABSENT, Txn.ABSENT, null, null);

    /** Reads the node whose directory key is {@code dirKey} from the key-sorted range {@code kvs}. */
    static EtcdNode of(byte[] dirKey, List<KeyValue> kvs) {
        KeyValue marker = null;
        Kind kind = Kind.MISSING;
        byte[] put = new byte[0];
        long putRevision = 0;
        List<KeyValue> appends = new ArrayList<>();
        for (KeyValue kv : kvs) {
            Layout.Located at = Layout.locate(dirKey, kv.getKey().getBytes());
            if (at == null || !at.path().isEmpty()) {
                continue;                       // a key of another node that sorts into the range
            }
            switch (at.piece()) {
                case DIR -> {
                    marker = kv;
                    kind = Kind.DIR;
                }
                case LINK -> {
                    marker = kv;
                    kind = Kind.LINK;
                }
                case VALUE -> {
                    marker = kv;
                    kind = Kind.VALUE;
                }
                case PUT_BYTES -> {
                    put = kv.getValue().getBytes();
                    putRevision = kv.getModRevision();
                }
                case APPENDED -> appends.add(kv);
                case OTHER -> { }
            }
        }
        return switch (kind) {
            case MISSING -> MISSING;            // pieces without a marker: never written by this layout
            case DIR -> directory(marker.getCreateRevision(), marker.getModRevision());
            case LINK -> new EtcdNode(Kind.LINK, marker.getCreateRevision(), marker.getModRevision(),
                    marker.getModRevision(), null, marker.getValue().toString(StandardCharsets.UTF_8));
            case VALUE -> {
                appends.sort(Comparator.comparingLong(KeyValue::getCreateRevision)
                        .thenComparing(kv -> kv.getKey().toString(StandardCharsets.ISO_8859_1)));
                ByteArrayOutputStream all = new ByteArrayOutputStream(put.length);
                all.writeBytes(put);
                for (KeyValue kv : appends) {
                    all.writeBytes(kv.getValue().getBytes());
                }
                yield new EtcdNode(Kind.VALUE, marker.getCreateRevision(), marker.getModRevision(),
                        Math.max(marker.getModRevision(), putRevision), all.toByteArray(), null);
            }
        };
    }

    /** A directory whose marker was created and last rewritten at these revisions, before {@link #beneath}. */
    static EtcdNode directory(long create, long marker) {
        return new EtcdNode(Kind.DIR, create, marker, marker, null, null);
    }

    /**
     * This node with the latest mod revision beneath it ({@code latest}, from a range read of
     * {@link Layout#childRange} sorted by mod revision) taken into its version, if it is a
     * directory: a put of an existing value rewrites only that value's keys, not the markers above.
     */
    EtcdNode beneath(long latest) {
        return kind == Kind.DIR && latest > version ? new EtcdNode(kind, create, marker, latest, null, null) : this;
    }

    boolean isDirectory() {
        return kind == Kind.DIR;
    }
}
