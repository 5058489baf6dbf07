package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a client asked a store to do: read some keys, or commit some puts under preconditions. Every
 * value a history writes is unique (the workload makes it so), which is how a read names the write
 * it saw.
 */
public sealed interface Call {
    /** Returns the keys this call reads, writes or requires. */
    Set<String> touches();

    /** Reads {@code keys} at one version (one snapshot). */
    record Read(List<String> keys) implements Call {
        public Read {
            keys = List.copyOf(keys);
            if (keys.isEmpty() || Set.copyOf(keys).size() != keys.size()) {
                throw new IllegalArgumentException("a read names one or more distinct keys: " + keys);
            }
        }

        public Read(String... keys) {
            this(List.of(keys));
        }

        @Override
        public Set<String> touches() {
            return new LinkedHashSet<>(keys);
        }

        @Override
        public String toString() {
            return "read" + keys;
        }
    }

    /** Requires {@code key} to be at {@code version} (0: missing) when the commit applies. */
    record Require(String key, long version) {
        public Require {
            Objects.requireNonNull(key, "key");
            if (version < 0) {
                throw new IllegalArgumentException("a required version is 0 (missing) or positive: " + version);
            }
        }
    }

    /** Sets {@code key} to {@code value}. */
    record Put(String key, String value) {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Commits {@code puts} atomically if every precondition holds: a put (no preconditions), a
     * compare-and-set (one precondition on the key it puts), or a multi-key transaction.
     */
    record Write(List<Require> requires, List<Put> puts) implements Call {
        public Write {
            requires = List.copyOf(requires);
            puts = List.copyOf(puts);
            if (puts.isEmpty()) {
                throw new IllegalArgumentException("a write puts at least one key");
            }
            if (puts.stream().map(Put::key).distinct().count() != puts.size()
                    || requires.stream().map(Require::key).distinct().count() != requires.size()) {
                throw new IllegalArgumentException("a write names each key once among its puts and once among its preconditions: " + puts + " " + requires);
            }
        }

        /** A put of {@code value} at {@code key}. */
        public static Write put(String key, String value) {
            return new Write(List.of(), List.of(new Put(key, value)));
        }

        /** A compare-and-set: puts {@code value} at {@code key} if the key is at {@code expected}. */
        public static Write cas(String key, long expected, String value) {
            return new Write(List.of(new Require(key, expected)), List.of(new Put(key, value)));
        }

        @Override
        public Set<String> touches() {
            Set<String> keys = new LinkedHashSet<>();
            puts.forEach(p -> keys.add(p.key()));
            requires.forEach(r -> keys.add(r.key()));
            return keys;
        }

        /** Returns the value this write puts at {@code key}, or null if it does not put it. */
        public String valueAt(String key) {
            for (Put p : puts) {
                if (p.key().equals(key)) {
                    return p.value();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            requires.forEach(r -> parts.add(r.key() + "@" + r.version()));
            String guard = parts.isEmpty() ? "" : " if " + String.join(",", parts);
            parts.clear();
            puts.forEach(p -> parts.add(p.key() + "=" + p.value()));
            return (requires.isEmpty() ? "put " : puts.size() == 1 ? "cas " : "txn ") + String.join(",", parts) + guard;
        }
    }
}
