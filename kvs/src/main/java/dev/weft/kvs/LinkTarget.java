package dev.weft.kvs;

/**
 * Where a symlink points, parsed from the text given to {@link Txn#symlink}: {@code "key"} in the
 * link's own namespace, or {@code "ns::key"} in namespace {@code ns} (Flux's notation).
 *
 * @param namespace the target's namespace, or null for the link's own
 * @param key the target key, from the namespace's root ({@code "."} for the root itself)
 */
public record LinkTarget(String namespace, String key) {
    /** The separator between a namespace and a key in a target. */
    public static final String SEPARATOR = "::";

    /**
     * Parses a target.
     *
     * @throws KvsException if it is null or empty, or names an empty namespace
     */
    public static LinkTarget parse(String target) {
        if (target == null || target.isEmpty()) {
            throw new KvsException("a symlink needs a target key ('key' or 'namespace::key')");
        }
        int sep = target.indexOf(SEPARATOR);
        if (sep < 0) {
            Keys.parse(target);
            return new LinkTarget(null, target);
        }
        String ns = target.substring(0, sep);
        String key = target.substring(sep + SEPARATOR.length());
        if (ns.isBlank()) {
            throw new KvsException("symlink target '" + target + "' names an empty namespace");
        }
        Keys.parse(key);
        return new LinkTarget(ns, key);
    }

    /** Returns the target as {@link Txn#symlink} takes it. */
    @Override
    public String toString() {
        return namespace == null ? key : namespace + SEPARATOR + key;
    }
}
