package dev.weft.kvs.etcd;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys a store has lately seen become values with bytes of a put and no appended pieces (its
 * own puts that etcd applied), each with its value marker's mod revision as of then, so
 * that the next put of one of them is sent as a replacement of an existing value
 * ({@link CommitPlan#blind}), the smallest write, without the general one beside it. Only a hint:
 * if the key has changed since, the replacement's compares fail, the key is forgotten and the
 * commit goes the general way. At most {@value #LIMIT} keys; past that it starts afresh.
 */
final class KnownValues {
    /*
     * Why a known marker revision lets a put skip deleting appended pieces. Every append, unlink,
     * change of kind or clearing of a directory above rewrites or deletes a value's marker; only a
     * put of an existing value (a replacement) leaves it alone, and a replacement leaves no pieces.
     * A revision is remembered only where the value had no pieces: the revision of a commit that
     * put the value and so wrote its marker, or, after a replacement, the revision the replacement
     * found by its compare. So a compare "the marker's mod revision is still M" holds only if
     * nothing but replacements touched the value since, and then it has no pieces. A stale entry
     * fails the compare; it is never wrong.
     */
    private static final int LIMIT = 1 << 16;

    private final Map<String, Long> markers = new ConcurrentHashMap<>();

    /** The marker revisions of {@code paths} by path, or null unless every path is known to be a value. */
    Map<String, Long> markers(String namespace, List<String> paths) {
        Map<String, Long> known = new HashMap<>(paths.size() * 2);
        for (String p : paths) {
            Long marker = markers.get(key(namespace, p));
            if (marker == null) {
                return null;
            }
            known.put(p, marker);
        }
        return known;
    }

    /** Remembers that each path is a value without pieces whose marker has the revision given. */
    void remember(String namespace, Map<String, Long> byPath) {
        if (markers.size() > LIMIT) {
            markers.clear();
        }
        byPath.forEach((p, marker) -> markers.put(key(namespace, p), marker));
    }

    void forget(String namespace, List<String> paths) {
        for (String p : paths) {
            markers.remove(key(namespace, p));
        }
    }

    /** A path holds no NUL on etcd, so the last NUL ends the namespace's name. */
    private static String key(String namespace, String path) {
        return namespace + '\0' + path;
    }
}
