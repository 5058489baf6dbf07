package dev.weft.kvs.etcd;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys a store has lately seen become values with bytes of a put (its own puts that etcd
 * applied), so that the next put of one of them is sent as a replacement of an existing value
 * ({@link CommitPlan#blind}), the smallest write, without the general one beside it. Only a hint:
 * if the key has changed kind since, the replacement's compares fail, the key is forgotten and the
 * commit goes the general way. At most {@value #LIMIT} keys; past that it starts afresh.
 */
final class KnownValues {
    private static final int LIMIT = 1 << 16;

    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    boolean containsAll(String namespace, List<String> paths) {
        for (String p : paths) {
            if (!keys.contains(key(namespace, p))) {
                return false;
            }
        }
        return true;
    }

    void remember(String namespace, List<String> paths) {
        if (keys.size() > LIMIT) {
            keys.clear();
        }
        for (String p : paths) {
            keys.add(key(namespace, p));
        }
    }

    void forget(String namespace, List<String> paths) {
        for (String p : paths) {
            keys.remove(key(namespace, p));
        }
    }

    /** A path holds no NUL on etcd, so the last NUL ends the namespace's name. */
    private static String key(String namespace, String path) {
        return namespace + '\0' + path;
    }
}
