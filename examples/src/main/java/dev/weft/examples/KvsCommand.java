package dev.weft.examples;

import dev.weft.kvs.ConflictException;
import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsClientOptions;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.Txn;
import dev.weft.kvs.Watch;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code weft kvs <op> --connect host:port ...}: one KVS operation against a running
 * {@code weft run kvs-server}. Exits 0 on success and 1 with a message on standard error otherwise
 * (connection refused, authentication failed, missing key, conflict).
 */
@Command(name = "kvs", mixinStandardHelpOptions = true,
        description = "Talks to a KVS server ('weft run kvs-server').",
        synopsisSubcommandLabel = "<op>",
        subcommands = {
            KvsCommand.Get.class, KvsCommand.Put.class, KvsCommand.Append.class, KvsCommand.Unlink.class,
            KvsCommand.Ls.class, KvsCommand.Version.class, KvsCommand.Wait.class, KvsCommand.WatchKey.class,
        })
final class KvsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name an operation; 'weft kvs --help' lists them");
    }

    /** Where the server is and who we are. */
    static final class Target {
        @Option(names = "--connect", defaultValue = "127.0.0.1:7100", paramLabel = "HOST:PORT",
                description = "The server (default: ${DEFAULT-VALUE}).")
        String connect;

        @Option(names = "--token", defaultValue = "${env:WEFT_KVS_TOKEN}",
                description = "The server's shared secret (default: $WEFT_KVS_TOKEN).")
        String token;

        @Option(names = {"-n", "--namespace"}, defaultValue = "primary", description = "Namespace (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--insecure",
                description = "Send the token over plain TCP to a server on another host, in clear text (refused "
                        + "otherwise). Only on a network you trust.")
        boolean insecure;
    }

    /** Connects, runs one operation, and turns failures into a message and exit code 1. */
    abstract static class Op implements Callable<Integer> {
        @Mixin
        Target target;

        @Mixin
        TlsOptions.Client tls;

        @Spec
        CommandSpec spec;

        abstract int run(Namespace ns, PrintWriter out) throws InterruptedException;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (KvsClient client = KvsClient.connect(KvsClientOptions.of(target.connect)
                    .withToken(empty(target.token) ? null : target.token).withTls(tls.tls()).withInsecure(target.insecure))) {
                return run(client.namespace(target.namespace), out);
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            } catch (IOException e) {
                return fail("cannot connect to " + target.connect + ": " + e.getMessage());
            } catch (KvsException e) {
                return fail(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            } finally {
                out.flush();
            }
        }

        int fail(String message) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("weft kvs " + spec.name() + ": " + message);
            err.flush();
            return 1;
        }

        private static boolean empty(String s) {
            return s == null || s.isEmpty();
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints a key's value.")
    static final class Get extends Op {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--at", description = "Read at this root version (if still retained).")
        Long version;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            Entry e = version == null ? ns.entry(key) : ns.at(version).entry(key);
            String value = e.string();
            if (value == null) {
                return fail("no key '" + key + "' in namespace '" + ns.name() + "' at version " + e.version());
            }
            out.println(value);
            return 0;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Sets a key; prints the new root version.")
    static final class Put extends Op {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Option(names = "--require-version", paramLabel = "V",
                description = "Commit only if the key is at version V (0: only if it does not exist).")
        Long required;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            Txn txn = new Txn();
            if (required != null) {
                txn.require(key, required);
            }
            try {
                out.println(ns.commit(txn.put(key, value)));
                return 0;
            } catch (ConflictException e) {
                return fail("conflict: '" + e.key() + "' is at version " + e.actual() + ", not " + e.expected());
            }
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true, description = "Appends to a key; prints the new root version.")
    static final class Append extends Op {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            out.println(ns.append(key, text));
            return 0;
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true, description = "Removes a key and everything beneath it.")
    static final class Unlink extends Op {
        @Parameters(paramLabel = "KEY")
        String key;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            out.println(ns.unlink(key));
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists a directory (the root by default).")
    static final class Ls extends Op {
        @Parameters(paramLabel = "DIR", defaultValue = ".")
        String dir;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            ns.list(dir).forEach(out::println);
            return 0;
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the namespace's root version.")
    static final class Version extends Op {
        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            out.println(ns.version());
            return 0;
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true, description = "Waits until the namespace reaches a version.")
    static final class Wait extends Op {
        /** A wait without a timeout is a loop of timed waits of this length. */
        private static final Duration WAIT_ROUND = Duration.ofSeconds(10);

        @Parameters(paramLabel = "VERSION")
        long version;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up after this long (default: wait forever).")
        Long timeout;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            if (timeout != null && !ns.waitVersion(version, Duration.ofSeconds(timeout))) {
                return fail("version " + version + " not reached within " + timeout + " s");
            }
            while (timeout == null && !ns.waitVersion(version, WAIT_ROUND)) {
                // waits end on the server every round, so none holds a slot there for long
            }
            out.println(ns.version());
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Prints a key's changes until the watch ends, COUNT events arrived, or Ctrl-C.")
    static final class WatchKey extends Op {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--mode", defaultValue = "value", description = "value, append, create or directory (default: ${DEFAULT-VALUE}).")
        String mode;

        @Option(names = "--count", description = "Stop after this many events.")
        Integer count;

        @Override
        int run(Namespace ns, PrintWriter out) throws InterruptedException {
            WatchMode watchMode;
            try {
                watchMode = WatchMode.valueOf(mode.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return fail("--mode must be value, append, create or directory, not '" + mode + "'");
            }
            BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            Watch watch = ns.watch(key, watchMode, events::add);
            for (int seen = 0; count == null || seen < count; seen++) {
                WatchEvent event = events.take();
                if (event instanceof WatchEvent.Ended end) {
                    out.println("v" + end.version() + " ended: " + end.reason());
                    return switch (end.reason()) {
                        case CANCELLED, CREATED, REPLACED -> 0;
                        default -> 1;
                    };
                }
                out.println(describe(event));
                out.flush();
            }
            watch.cancel();
            return 0;
        }

        private static String describe(WatchEvent event) {
            return switch (event) {
                case WatchEvent.Value v -> "v" + v.version() + " " + v.key()
                        + (v.value() == null ? " missing" : " = " + new String(v.value(), StandardCharsets.UTF_8));
                case WatchEvent.Appended a -> "v" + a.version() + " " + a.key() + " += "
                        + new String(a.bytes(), StandardCharsets.UTF_8);
                case WatchEvent.DirChanged d -> "v" + d.version() + " " + d.key() + " changed: " + String.join(", ", d.changed());
                case WatchEvent.Ended e -> "v" + e.version() + " ended: " + e.reason();
            };
        }
    }
}
