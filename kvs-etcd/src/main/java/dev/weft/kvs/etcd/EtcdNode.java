package dev.weft.kvs.etcd;

import dev.weft.kvs.Txn;
import io.etcd.jetcd.KeyValue;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A node as one range read of its keys found it ({@link Layout#nodeRange}): a directory marker, or
 * a value marker with the bytes of its last put and its appends since.
 *
 * @param kind what is there
 * @param create the create revision of its marker (0 if missing): stable while it stays what it is
 * @param version its key version: the mod revision of its marker ({@link Txn#ABSENT} if missing)
 * @param value the value's bytes (null unless a value)
 */
record EtcdNode(Kind kind, long create, long version, byte[] value) {
    enum Kind { MISSING, VALUE, DIR }

    static final EtcdNode MISSING = new EtcdNode(Kind.MISSING, 0, Txn.ABSENT, null);

    /** Reads the node whose directory key is {@code dirKey} from the key-sorted range {@code kvs}. */
    static EtcdNode of(byte[] dirKey, List<KeyValue> kvs) {
        if (kvs.isEmpty()) {
            return MISSING;
        }
        KeyValue first = kvs.get(0);
        if (first.getKey().size() == dirKey.length) {
            return new EtcdNode(Kind.DIR, first.getCreateRevision(), first.getModRevision(), null);
        }
        long create = 0;
        long version = 0;
        byte[] put = new byte[0];
        List<KeyValue> appends = new ArrayList<>();
        for (KeyValue kv : kvs) {
            int extra = kv.getKey().size() - dirKey.length;
            if (extra == 1) {
                create = kv.getCreateRevision();
                version = kv.getModRevision();
            } else if (extra == 2) {
                put = kv.getValue().getBytes();
            } else {
                appends.add(kv);
            }
        }
        if (create == 0) {
            return MISSING;                 // pieces without a marker: never written by this layout
        }
        appends.sort(Comparator.comparingLong(KeyValue::getCreateRevision)
                .thenComparing(kv -> kv.getKey().toString(java.nio.charset.StandardCharsets.ISO_8859_1)));
        ByteArrayOutputStream all = new ByteArrayOutputStream(put.length);
        all.writeBytes(put);
        for (KeyValue kv : appends) {
            all.writeBytes(kv.getValue().getBytes());
        }
        return new EtcdNode(Kind.VALUE, create, version, all.toByteArray());
    }

    boolean isDirectory() {
        return kind == Kind.DIR;
    }
}
