package dev.weft.kvs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Eventlogs as Flux's RFC 18 defines them: a value under a key that holds one JSON object per line,
 * each an event with a {@code timestamp} (seconds since the epoch), a {@code name} and an optional
 * {@code context} object, and that only ever grows by appends. Readers follow it with an
 * {@link WatchMode#APPEND} watch, so each new event arrives once, in order, on every backend.
 *
 * <pre>{@code
 * Eventlog.append(ns, "jobs.42.eventlog", Eventlog.Event.now("submit", "{\"userid\":5588}"));
 * Eventlog.Event started = Eventlog.waitFor(ns, "jobs.42.eventlog", "start", Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>An event's place in the log (its index, from 0) never changes, so a reader that loses its
 * watch (a server restart ends it with {@code Ended(CLOSED)}) resumes without a gap or a repeat by
 * watching again from the number of events it has seen.
 */
public final class Eventlog {
    private Eventlog() {
    }

    /**
     * One event.
     *
     * @param timestamp seconds since the epoch
     * @param name what happened; not empty
     * @param context a JSON object with details, or null
     */
    public record Event(double timestamp, String name, String context) {
        public Event {
            if (name == null || name.isEmpty()) {
                throw new KvsException("an eventlog event needs a name");
            }
            if (!Double.isFinite(timestamp)) {
                throw new KvsException("an eventlog event's timestamp must be a finite number: " + timestamp);
            }
            if (context != null) {
                try {
                    context = Json.compact(context);
                } catch (KvsException e) {
                    throw new KvsException("an eventlog event's context must be a JSON object: " + e.getMessage(), e);
                }
                if (!context.startsWith("{")) {
                    throw new KvsException("an eventlog event's context must be a JSON object, not " + context);
                }
            }
        }

        /** An event named {@code name} with no context, stamped now. */
        public static Event now(String name) {
            return now(name, null);
        }

        /** An event named {@code name} with {@code context} (a JSON object, or null), stamped now. */
        public static Event now(String name, String context) {
            return new Event(System.currentTimeMillis() / 1000.0, name, context);
        }

        /**
         * Reads one line of an eventlog (without its newline).
         *
         * @throws KvsException if it is not an RFC 18 event
         */
        public static Event parse(String line) {
            Map<String, String> members;
            try {
                members = Json.members(line);
            } catch (KvsException e) {
                throw new KvsException("not an eventlog event: " + e.getMessage());
            }
            String timestamp = members.get("timestamp");
            String name = members.get("name");
            if (timestamp == null || !(timestamp.startsWith("-") || Character.isDigit(timestamp.charAt(0)))
                    || name == null || !name.startsWith("\"")) {
                throw new KvsException("not an eventlog event (it needs a numeric timestamp and a string name): " + line);
            }
            return new Event(Double.parseDouble(timestamp), Json.unquote(name), members.get("context"));
        }

        /** Returns the event as one line of JSON, without the newline. */
        public String toJson() {
            return "{\"timestamp\":" + String.format(Locale.ROOT, "%.6f", timestamp) + ",\"name\":" + Json.quote(name)
                    + (context == null ? "" : ",\"context\":" + context) + "}";
        }

        /**
         * Returns the event as Flux's {@code eventlog get} prints it: the timestamp, the name and the
         * context's members as {@code key=value} (values as JSON).
         */
        public String toText() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%.6f", timestamp)).append(' ').append(name);
            if (context != null) {
                Json.members(context).forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
            }
            return out.toString();
        }

        byte[] line() {
            return (toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What an eventlog watch delivers, on the backend's delivery thread: keep it short. */
    public interface Listener {
        /**
         * The event at {@code index} (0 is the log's first), appended by the commit that made
         * {@code version} (for the events the log held when the watch started: its start version).
         */
        void event(long index, long version, Event event);

        /**
         * The watch ended, as {@code end} says; nothing follows. {@code error} is null, or says why
         * the log could not be read on (a line that is not an event: the watch was cancelled there).
         */
        void ended(WatchEvent.Ended end, KvsException error);
    }

    /** Adds an append of {@code event} to the eventlog at {@code key} to {@code txn}. */
    public static Txn append(Txn txn, String key, Event event) {
        return txn.append(key, event.line());
    }

    /** Commits an append of {@code event} to the eventlog at {@code key}; returns the version. */
    public static long append(Namespace ns, String key, Event event) throws InterruptedException {
        return ns.commit(append(new Txn(), key, event));
    }

    /**
     * Reads the eventlog at {@code key} (following symlinks).
     *
     * @return its events in order, or null if the key is missing
     * @throws KvsException if a line is not an event
     */
    public static List<Event> read(View view, String key) throws InterruptedException {
        byte[] value = view.get(key);
        return value == null ? null : parseAll(value, key);
    }

    static List<Event> parseAll(byte[] value, String key) {
        List<Event> events = new ArrayList<>();
        Lines lines = new Lines(key);
        lines.add(value, (i, e) -> events.add(e));
        return events;
    }

    /**
     * Watches the eventlog at {@code key}: the events it holds from index {@code from} on, then
     * each event appended, once each and in order. A missing key is waited for. Built on an
     * {@link WatchMode#APPEND} watch: if the log is replaced (put, unlink), the watch ends with
     * {@code REPLACED}; read it again and watch from there.
     */
    public static Watch watch(Namespace ns, String key, long from, Listener listener) throws InterruptedException {
        if (from < 0) {
            throw new IllegalArgumentException("an eventlog index is never negative: " + from);
        }
        Objects.requireNonNull(listener, "listener");
        Follower follower = new Follower(key, from, listener);
        return follower.attach(ns.watch(key, WatchMode.APPEND, follower::accept));
    }

    /**
     * Waits until the eventlog at {@code key} holds an event named {@code name} (already, or
     * appended later); a missing key is waited for.
     *
     * @return the first such event, or null if {@code timeout} passes first
     * @throws KvsException if the watch ends first (the log was replaced, the namespace removed, the
     *     connection lost) or the log holds a line that is not an event
     */
    public static Event waitFor(Namespace ns, String key, String name, Duration timeout) throws InterruptedException {
        LinkedBlockingQueue<Object> found = new LinkedBlockingQueue<>();
        Watch w = watch(ns, key, 0, new Listener() {
            @Override
            public void event(long index, long version, Event event) {
                if (event.name().equals(name)) {
                    found.add(event);
                }
            }

            @Override
            public void ended(WatchEvent.Ended end, KvsException error) {
                found.add(error != null ? error : end);
            }
        });
        try {
            Object first = found.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return switch (first) {
                case null -> null;
                case Event e -> e;
                case KvsException e -> throw e;
                case WatchEvent.Ended e -> throw new KvsException("the watch on eventlog '" + key + "' ended ("
                        + e.reason() + " at version " + e.version() + ") before an event '" + name + "'");
                default -> throw new IllegalStateException("unexpected " + first);
            };
        } finally {
            w.cancel();
        }
    }

    /** Splits appended bytes into lines and parses each; keeps a partial last line for the next bytes. */
    private static final class Lines {
        private final String key;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private long next;

        Lines(String key) {
            this.key = key;
        }

        interface Sink {
            void event(long index, Event event);
        }

        void add(byte[] bytes, Sink sink) {
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    partial.write(bytes, start, i - start);
                    String line = partial.toString(StandardCharsets.UTF_8);
                    partial.reset();
                    start = i + 1;
                    Event e;
                    try {
                        e = Event.parse(line);
                    } catch (KvsException bad) {
                        throw new KvsException("event " + next + " of eventlog '" + key + "' is malformed: "
                                + bad.getMessage());
                    }
                    sink.event(next++, e);
                }
            }
            partial.write(bytes, start, bytes.length - start);
        }
    }

    /** Turns an APPEND watch's events into eventlog events. */
    private static final class Follower {
        /* The backend calls accept() for one watch on one thread, in order: the state needs no lock. */
        private final Lines lines;
        private final long from;
        private final Listener listener;
        private volatile Watch watch;
        private volatile boolean failedEarly;
        private KvsException error;

        Follower(String key, long from, Listener listener) {
            this.lines = new Lines(key);
            this.from = from;
            this.listener = listener;
        }

        Watch attach(Watch w) {
            watch = w;
            if (failedEarly) {
                w.cancel();
            }
            return w;
        }

        void accept(WatchEvent event) {
            switch (event) {
                case WatchEvent.Appended a -> {
                    if (error != null) {
                        return;
                    }
                    try {
                        lines.add(a.bytes(), (index, e) -> {
                            if (index >= from) {
                                listener.event(index, a.version(), e);
                            }
                        });
                    } catch (KvsException malformed) {
                        error = malformed;
                        failedEarly = true;
                        Watch w = watch;
                        if (w != null) {
                            w.cancel();
                        }
                    }
                }
                case WatchEvent.Ended end -> listener.ended(end, error);
                default -> { }
            }
        }
    }
}
