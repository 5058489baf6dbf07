package dev.weft.kvs;

import java.nio.charset.StandardCharsets;

/**
 * What one read found at a key: everything a caller needs to read and then write with a
 * precondition, from one round trip. {@link View#entry} follows symlinks, so its entries describe
 * what the link leads to; {@link View#readlink} describes the node at the key itself, a symlink
 * included.
 *
 * @param namespace the namespace read
 * @param key the key read
 * @param version the root version the read saw
 * @param keyVersion the version of the node found ({@link Txn#ABSENT} if missing); for {@link Txn#require},
 *     use the version of the key itself, which is this unless the read followed a symlink
 * @param directory whether the node found is a directory (then {@code value} is null)
 * @param value a copy of the value, or null if the key is missing, a directory or a symlink
 * @param link the target of the symlink at the key, if {@link View#readlink} found one; else null
 */
public record Entry(String namespace, String key, long version, long keyVersion, boolean directory, byte[] value,
        String link) {
    /** An entry that is not a symlink. */
    public Entry(String namespace, String key, long version, long keyVersion, boolean directory, byte[] value) {
        this(namespace, key, version, keyVersion, directory, value, null);
    }

    /** Returns whether anything (a value, a directory or a symlink) is at the key. */
    public boolean exists() {
        return keyVersion != Txn.ABSENT;
    }

    /** Returns whether this is a symlink ({@link View#readlink} only; reads through it follow it). */
    public boolean symlink() {
        return link != null;
    }

    /**
     * Returns the value, or null if the key is missing.
     *
     * @throws NotAValueException if the key is a directory or a symlink
     */
    public byte[] valueOrNull() {
        if (directory) {
            throw NotAValueException.directory(namespace, key);
        }
        if (link != null) {
            throw new NotAValueException("'" + key + "' is a symlink to '" + link + "' in namespace '" + namespace
                    + "'; read it with get or entry to follow it");
        }
        return value;
    }

    /** Returns the value decoded as UTF-8, or null if the key is missing; see {@link #valueOrNull()}. */
    public String string() {
        byte[] v = valueOrNull();
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}
