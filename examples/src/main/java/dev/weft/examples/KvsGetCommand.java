package dev.weft.examples;

import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.View;
import dev.weft.kvs.Watch;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code weft kvs get}: prints values, following symlinks; with {@code -w} it watches one key, with
 * Flux's flags.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Prints the values of keys (following symlinks); with -w, every change of one key.")
final class KvsGetCommand extends KvsCommand.Op {
    @Parameters(paramLabel = "KEY", arity = "1..*")
    List<String> keys;

    @Option(names = {"-w", "--watch"}, description = "Print the value, then each change, until Ctrl-C or -c.")
    boolean watch;

    @Mixin
    KvsWatchFlags flags;

    @Option(names = "--at", paramLabel = "V", description = "Read at this root version (if still retained).")
    Long version;

    @Option(names = {"-r", "--raw"}, description = "Write the bytes as they are, without a newline.")
    boolean raw;

    @Override
    void validate() {
        if (!watch && flags.watchOnly()) {
            throw usage("-c, -u, -A and -f watch a key: add -w");
        }
        if (version != null && (watch || flags.waitCreate)) {
            throw usage("--at reads one version; it cannot watch (-w) or wait (-W): drop one of them");
        }
        if ((watch || flags.waitCreate) && keys.size() != 1) {
            throw usage("-w and -W take one KEY, not " + keys.size());
        }
        if (flags.problem() != null) {
            throw usage(flags.problem());
        }
    }

    @Override
    int run(KvsClient client, PrintWriter out) throws InterruptedException, IOException {
        Namespace ns = ns(client);
        if (watch) {
            return watch(ns, keys.get(0), out);
        }
        if (flags.waitCreate) {
            return waitCreated(ns, keys.get(0), out);
        }
        View view = version == null ? ns.latest() : ns.at(version);
        for (String key : keys) {
            Entry e = view.entry(key);
            byte[] value = e.valueOrNull();
            if (value == null) {
                return fail(missing(view, key, e.version()));
            }
            print(value, true, out);
        }
        return 0;
    }

    /** Why {@code key} reads as missing: it is, or it is a symlink whose target is. */
    private static String missing(View view, String key, long at) throws InterruptedException {
        Entry link = view.readlink(key);
        return "no key '" + key + "' in namespace '" + link.namespace() + "' at version " + at
                + (link.symlink() ? " (it is a symlink to '" + link.link() + "', which is missing)" : "");
    }

    private int waitCreated(Namespace ns, String key, PrintWriter out) throws InterruptedException, IOException {
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        ns.watch(key, WatchMode.CREATE, events::add);
        for (;;) {
            switch (events.take()) {
                case WatchEvent.Value v -> {
                    byte[] value = ns.at(v.version()).get(key);
                    if (value == null) {
                        return fail("'" + key + "' was created at version " + v.version() + " but holds no value");
                    }
                    print(value, true, out);
                }
                case WatchEvent.Ended end -> {
                    String why = KvsCommand.endReason(key, end);
                    return why == null ? 0 : fail(why);
                }
                default -> { }
            }
        }
    }

    private int watch(Namespace ns, String key, PrintWriter out) throws InterruptedException, IOException {
        if (!flags.waitCreate) {
            Entry e = ns.entry(key);
            if (e.valueOrNull() == null) {
                return fail(missing(ns.at(e.version()), key, e.version()) + "; -W waits for it");
            }
        }
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        Watch w = ns.watch(key, flags.mode(WatchMode.VALUE), flags.options(), events::add);
        boolean created = false;
        for (;;) {
            switch (events.take()) {
                case WatchEvent.Value v when v.value() == null -> {
                    if (created || !flags.waitCreate) {
                        w.cancel();
                        return fail("'" + key + "' was removed (or made a directory) at version " + v.version());
                    }
                }
                case WatchEvent.Value v -> {
                    created = true;
                    print(v.value(), true, out);
                }
                case WatchEvent.Appended a -> print(a.bytes(), false, out);
                case WatchEvent.Ended end -> {
                    String why = KvsCommand.endReason(key, end);
                    return why == null ? 0 : fail(why);
                }
                case WatchEvent.DirChanged d -> { }
            }
        }
    }

    /** Prints a value: as text with a newline, or with -r the bytes as they are (an append's bytes as they are either way). */
    private void print(byte[] value, boolean line, PrintWriter out) throws IOException {
        if (raw) {
            out.flush();
            System.out.write(value);
            System.out.flush();
        } else {
            out.print(new String(value, StandardCharsets.UTF_8));
            if (line) {
                out.println();
            }
            out.flush();
        }
    }
}
