package dev.weft.kvs;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable byte string that appends in amortised constant time.
 */
final class Blob {
    /*
     * Several blobs may share one backing array, each seeing its own prefix [0, length). An append to
     * a blob whose length equals the array's high-water mark claims the free tail with one CAS on
     * that mark and copies only the new bytes; any other append (an older version, or a second
     * branch from the same blob) copies into a fresh array. Bytes below a blob's length are never
     * written again, so a blob is immutable to everyone who holds it, and the tree's volatile
     * publication orders the tail write before any read through the new blob.
     */
    static final Blob EMPTY = new Blob(new Shared(new byte[0], 0), 0);

    private static final class Shared {
        final byte[] data;
        final AtomicInteger used;

        Shared(byte[] data, int used) {
            this.data = data;
            this.used = new AtomicInteger(used);
        }
    }

    private final Shared shared;
    private final int length;

    private Blob(Shared shared, int length) {
        this.shared = shared;
        this.length = length;
    }

    /** Returns a blob holding a copy of {@code bytes}. */
    static Blob of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Blob(new Shared(bytes.clone(), bytes.length), bytes.length);
    }

    int length() {
        return length;
    }

    Blob append(byte[] more) {
        if (more.length == 0) {
            return this;
        }
        int end = length + more.length;
        if (end < 0) {
            throw new KvsException("value too large");
        }
        Shared s = shared;
        if (s.data.length >= end && s.used.compareAndSet(length, end)) {
            System.arraycopy(more, 0, s.data, length, more.length);
            return new Blob(s, end);
        }
        byte[] grown = Arrays.copyOf(s.data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(16L, 2L * end)));
        System.arraycopy(more, 0, grown, length, more.length);
        return new Blob(new Shared(grown, end), end);
    }

    /** Returns a copy of the bytes. */
    byte[] toArray() {
        return Arrays.copyOf(shared.data, length);
    }

    /** Returns a copy of the bytes from {@code from} to the end. */
    byte[] suffix(int from) {
        return Arrays.copyOfRange(shared.data, from, length);
    }

    /** The backing array; only [0, length) belongs to this blob. Callers must not write to it. */
    byte[] array() {
        return shared.data;
    }
}
