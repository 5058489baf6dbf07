package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.List;

/** Builds a history by hand for the checker's own tests: times are plain numbers. */
final class HistoryBuilder {
    private static final long NONE = Outcome.NONE;
    private final List<Op> ops = new ArrayList<>();

    HistoryBuilder op(int client, long from, long to, Call call, Outcome outcome) {
        long completed = outcome instanceof Outcome.Unknown ? Long.MAX_VALUE : to;
        ops.add(new Op(ops.size() + 1, client, call, from, completed, outcome));
        return this;
    }

    /** A put of {@code value} at {@code key} that committed as {@code version}. */
    HistoryBuilder put(int client, long from, long to, String key, String value, long version) {
        return op(client, from, to, Call.Write.put(key, value), new Outcome.Committed(version));
    }

    /** A put whose outcome is unknown. */
    HistoryBuilder putUnknown(int client, long from, String key, String value) {
        return op(client, from, from, Call.Write.put(key, value), new Outcome.Unknown("lost reply"));
    }

    HistoryBuilder cas(int client, long from, long to, String key, long expected, String value, Outcome outcome) {
        return op(client, from, to, Call.Write.cas(key, expected, value), outcome);
    }

    /** A read of one key that saw {@code value} (null: missing) at key version {@code keyVersion}, at root {@code root}. */
    HistoryBuilder read(int client, long from, long to, long root, String key, String value, long keyVersion) {
        return op(client, from, to, new Call.Read(key), new Outcome.Read(root, List.of(new Outcome.Seen(key, value, keyVersion))));
    }

    /** A read of one key without any version witness. */
    HistoryBuilder read(int client, long from, long to, String key, String value) {
        return read(client, from, to, NONE, key, value, NONE);
    }

    /** A read of several keys at root {@code root}. */
    HistoryBuilder read(int client, long from, long to, long root, Outcome.Seen... seen) {
        List<String> keys = new ArrayList<>();
        for (Outcome.Seen s : seen) {
            keys.add(s.key());
        }
        return op(client, from, to, new Call.Read(keys), new Outcome.Read(root, List.of(seen)));
    }

    static Outcome.Seen seen(String key, String value, long keyVersion) {
        return new Outcome.Seen(key, value, keyVersion);
    }

    static Outcome committed(long version) {
        return new Outcome.Committed(version);
    }

    static Outcome refused(String key, long actual) {
        return new Outcome.Refused(key, actual, NONE);
    }

    History build() {
        return new History(ops);
    }

    Report check() {
        return LinearizabilityChecker.check(build());
    }
}
