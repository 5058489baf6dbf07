package dev.weft.examples;

import dev.weft.kvs.Eventlog;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.Watch;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code weft kvs eventlog append|get|wait-event}: RFC 18 eventlogs, one JSON event a line, read
 * and followed by appends only.
 */
@Command(name = "eventlog", mixinStandardHelpOptions = true,
        description = "Appends to, prints and waits on eventlogs (Flux RFC 18: one JSON event a line).",
        synopsisSubcommandLabel = "(append | get | wait-event)",
        subcommands = {KvsEventlogCommand.Append.class, KvsEventlogCommand.Get.class, KvsEventlogCommand.WaitEvent.class})
final class KvsEventlogCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name append, get or wait-event");
    }

    @Command(name = "append", mixinStandardHelpOptions = true,
            description = "Appends an event; prints the new root version.")
    static final class Append extends KvsCommand.Op {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Parameters(index = "2..*", paramLabel = "CONTEXT", description = "A JSON object with details (its words joined).")
        List<String> context;

        @Option(names = {"-t", "--timestamp"}, paramLabel = "SECONDS", description = "The event's time (default: now).")
        Double timestamp;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            String details = context == null || context.isEmpty() ? null : String.join(" ", context);
            double at = timestamp != null ? timestamp : System.currentTimeMillis() / 1000.0;
            out.println(Eventlog.append(ns(client), key, new Eventlog.Event(at, name, details)));
            return 0;
        }
    }

    /** Prints events as Flux does, or as their JSON lines. */
    abstract static class Reader extends KvsCommand.Op {
        @Option(names = {"-u", "--unformatted"}, description = "Print each event's JSON line as it is stored.")
        boolean unformatted;

        @Option(names = {"-W", "--waitcreate"}, description = "Wait for the eventlog to be created.")
        boolean waitCreate;

        void print(Eventlog.Event e, PrintWriter out) {
            out.println(unformatted ? e.toJson() : e.toText());
            out.flush();
        }

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        /** Reads the eventlog, which exists (or -W waits for it). */
        abstract int read(Namespace ns, PrintWriter out) throws InterruptedException;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            Namespace ns = ns(client);
            return waitCreate || ns.entry(key).exists() ? read(ns, out) : missing(ns, key);
        }

        int missing(Namespace ns, String key) {
            return fail("no eventlog '" + key + "' in namespace '" + ns.name() + "'; -W waits for it");
        }
    }

    /** What an eventlog watch hands to a command's thread. */
    private record Seen(Eventlog.Event event) {
    }

    /** Follows an eventlog into a queue: {@link Seen} events, then the end (or the error). */
    static final class Queue implements Eventlog.Listener {
        final BlockingQueue<Object> items = new LinkedBlockingQueue<>();

        @Override
        public void event(long index, long version, Eventlog.Event event) {
            items.add(new Seen(event));
        }

        @Override
        public void ended(WatchEvent.Ended end, KvsException error) {
            items.add(error != null ? error : end);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints an eventlog's events; with -w, then each event appended.")
    static final class Get extends Reader {
        @Option(names = {"-w", "--watch"}, description = "Go on printing events as they are appended, until Ctrl-C or -c.")
        boolean watch;

        @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Stop after N events.")
        Integer count;

        @Override
        void validate() {
            if (count != null && count < 1) {
                throw usage("-c needs a positive count, not " + count);
            }
        }

        @Override
        int read(Namespace ns, PrintWriter out) throws InterruptedException {
            int limit = count == null ? Integer.MAX_VALUE : count;
            if (!watch) {
                List<Eventlog.Event> events = waitCreate ? created(ns) : Eventlog.read(ns.latest(), key);
                if (events == null) {
                    return missing(ns, key);   // unlinked since run() looked
                }
                events.stream().limit(limit).forEach(e -> print(e, out));
                return 0;
            }
            Queue queue = new Queue();
            Watch w = Eventlog.watch(ns, key, 0, queue);
            try {
                for (int printed = 0; printed < limit; printed++) {
                    switch (queue.items.take()) {
                        case Seen s -> print(s.event(), out);
                        case KvsException e -> throw e;
                        case WatchEvent.Ended end -> {
                            String why = KvsCommand.endReason(key, end);
                            return why == null ? 0 : fail(why);
                        }
                        default -> throw new IllegalStateException("unexpected item");
                    }
                }
                return 0;
            } finally {
                w.cancel();
            }
        }

        /** Waits for the eventlog to exist and reads it as it was then. */
        private List<Eventlog.Event> created(Namespace ns) throws InterruptedException {
            BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            ns.watch(key, WatchMode.CREATE, events::add);
            WatchEvent first = events.take();
            if (first instanceof WatchEvent.Ended end) {
                throw new KvsException(KvsCommand.endReason(key, end));
            }
            List<Eventlog.Event> log = Eventlog.read(ns.at(first.version()), key);
            if (log == null) {
                throw new KvsException("'" + key + "' was created at version " + first.version() + " as a directory");
            }
            return log;
        }
    }

    @Command(name = "wait-event", mixinStandardHelpOptions = true,
            description = "Waits until an event named NAME is in the eventlog; prints it.")
    static final class WaitEvent extends Reader {
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Give up after this long (default: wait forever).")
        Double timeout;

        @Option(names = {"-q", "--quiet"}, description = "Print nothing.")
        boolean quiet;

        @Option(names = {"-v", "--verbose"}, description = "Print every event up to the one waited for.")
        boolean verbose;

        @Override
        void validate() {
            if (timeout != null && !(timeout >= 0)) {
                throw usage("-t needs a number of seconds of at least 0, not " + timeout);
            }
        }

        @Override
        int read(Namespace ns, PrintWriter out) throws InterruptedException {
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + (long) (timeout * 1e9);
            Queue queue = new Queue();
            Watch w = Eventlog.watch(ns, key, 0, queue);
            try {
                for (;;) {
                    Object item = timeout == null ? queue.items.take()
                            : queue.items.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    switch (item) {
                        case null -> {
                            return fail("no event '" + name + "' in eventlog '" + key + "' within " + timeout + " s");
                        }
                        case Seen s when s.event().name().equals(name) -> {
                            if (!quiet) {
                                print(s.event(), out);
                            }
                            return 0;
                        }
                        case Seen s -> {
                            if (verbose && !quiet) {
                                print(s.event(), out);
                            }
                        }
                        case KvsException e -> throw e;
                        case WatchEvent.Ended end -> {
                            String why = KvsCommand.endReason(key, end);
                            return fail(why != null ? why : "the eventlog watch ended before an event '" + name + "'");
                        }
                        default -> throw new IllegalStateException("unexpected item");
                    }
                }
            } finally {
                w.cancel();
            }
        }
    }
}
