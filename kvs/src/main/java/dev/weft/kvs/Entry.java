package dev.weft.kvs;

import java.nio.charset.StandardCharsets;

/**
 * What one read found at a key: everything a caller needs to read and then write with a
 * precondition, from one round trip.
 *
 * @param namespace the namespace read
 * @param key the key read
 * @param version the root version the read saw
 * @param keyVersion the key's own version, for {@link Txn#require} ({@link Txn#ABSENT} if missing)
 * @param directory whether the key is a directory (then {@code value} is null)
 * @param value a copy of the value, or null if the key is missing or a directory
 */
public record Entry(String namespace, String key, long version, long keyVersion, boolean directory, byte[] value) {
    /** Returns whether anything (a value or a directory) is at the key. */
    public boolean exists() {
        return keyVersion != Txn.ABSENT;
    }

    /**
     * Returns the value, or null if the key is missing.
     *
     * @throws NotAValueException if the key is a directory
     */
    public byte[] valueOrNull() {
        if (directory) {
            throw NotAValueException.directory(namespace, key);
        }
        return value;
    }

    /** Returns the value decoded as UTF-8, or null if the key is missing; see {@link #valueOrNull()}. */
    public String string() {
        byte[] v = valueOrNull();
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}
