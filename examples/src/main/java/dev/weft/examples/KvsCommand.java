package dev.weft.examples;

import dev.weft.kvs.ConflictException;
import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsClientOptions;
import dev.weft.kvs.KvsException;
import dev.weft.kvs.LinkTarget;
import dev.weft.kvs.Namespace;
import dev.weft.kvs.NamespaceInfo;
import dev.weft.kvs.Txn;
import dev.weft.kvs.WatchEvent;
import dev.weft.kvs.WatchMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code weft kvs <op> --connect host:port ...}: one KVS operation against a running
 * {@code weft run kvs-server}, with Flux's command names and flags where they fit (docs/kvs.md has
 * the table). Exits 0 on success, 1 with a one-line message on standard error when the operation
 * fails (connection refused, authentication failed, missing key, conflict, timeout), 2 for a usage
 * error.
 */
@Command(name = "kvs", mixinStandardHelpOptions = true,
        description = "Talks to a KVS server ('weft run kvs-server'), with the Flux KVS's commands and flags.",
        synopsisSubcommandLabel = "<op>",
        subcommands = {
            KvsGetCommand.class, KvsCommand.Put.class, KvsCommand.Append.class, KvsCommand.Unlink.class,
            KvsCommand.Mkdir.class, KvsCommand.Link.class, KvsCommand.Readlink.class, KvsCommand.Copy.class,
            KvsCommand.Move.class, KvsListCommands.Ls.class, KvsListCommands.Dir.class, KvsCommand.Getroot.class,
            KvsCommand.Version.class, KvsCommand.Wait.class, KvsCommand.WatchKey.class, KvsNamespaceCommand.class,
            KvsEventlogCommand.class,
        })
final class KvsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name an operation; 'weft kvs --help' lists them");
    }

    /**
     * Where the server is and who we are: the one place that turns the connection options into a
     * {@link KvsClient}, for every {@code weft kvs} command (options such as TLS belong here).
     */
    static final class Target {
        @Option(names = "--connect", defaultValue = "127.0.0.1:7100", paramLabel = "HOST:PORT",
                description = "The server (default: ${DEFAULT-VALUE}).")
        String connect;

        @Option(names = "--token", defaultValue = "${env:WEFT_KVS_TOKEN}",
                description = "The token to present: the server's, or a user's (default: $WEFT_KVS_TOKEN).")
        String token;

        @Option(names = {"-N", "-n", "--namespace"}, defaultValue = "primary",
                description = "Namespace (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--insecure",
                description = "Send the token over plain TCP to a server on another host, in clear text (refused "
                        + "otherwise). Only on a network you trust.")
        boolean insecure;

        @Mixin
        TlsOptions.Client tls;

        /**
         * Connects as these options say.
         *
         * @throws KvsException if the server cannot be reached (saying which) or refuses the token
         * @throws IllegalArgumentException if {@code --connect} is not HOST:PORT
         */
        KvsClient open() {
            KvsClientOptions options = KvsClientOptions.of(connect).withTls(tls.tls()).withInsecure(insecure);
            if (token != null && !token.isEmpty()) {
                options = options.withToken(token);
            }
            try {
                return KvsClient.connect(options);
            } catch (IOException e) {
                throw new KvsException("cannot connect to " + connect + ": " + e.getMessage(), e);
            }
        }
    }

    /** Connects, runs one operation, and turns failures into a message and exit code 1. */
    abstract static class Op implements Callable<Integer> {
        @Mixin
        Target target;

        @Spec
        CommandSpec spec;

        abstract int run(KvsClient client, PrintWriter out) throws InterruptedException, IOException;

        /** Checks the arguments before anything connects; throws {@link #usage} for a mistake. */
        void validate() {
        }

        /** The namespace the options name. */
        Namespace ns(KvsClient client) {
            return client.namespace(target.namespace);
        }

        @Override
        public Integer call() {
            validate();
            PrintWriter out = spec.commandLine().getOut();
            try (KvsClient client = target.open()) {
                return run(client, out);
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            } catch (IOException e) {
                return fail("input or output failed: " + e.getMessage());
            } catch (ConflictException e) {
                return fail("conflict: '" + e.key() + "' is at version " + e.actual() + ", not " + e.expected());
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
            err.println(spec.qualifiedName(" ") + ": " + message);
            err.flush();
            return 1;
        }

        ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }

    /** An operation that commits one transaction and prints the new root version. */
    abstract static class Commit extends Op {
        abstract Txn txn() throws IOException;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException, IOException {
            out.println(ns(client).commit(txn()));
            return 0;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Sets one or more keys in one commit; prints the new root version.")
    static final class Put extends Commit {
        @Parameters(paramLabel = "KEY=VALUE", arity = "1..*", description = "Each key and its value.")
        List<String> pairs;

        @Option(names = {"-A", "--append"}, description = "Append each value instead of replacing.")
        boolean append;

        @Option(names = {"-r", "--raw"}, description = "Raw: a VALUE of '-' is read from standard input, bytes as they are.")
        boolean raw;

        @Option(names = "--require-version", paramLabel = "V",
                description = "Commit only if the (one) key is at version V (0: only if it does not exist).")
        Long required;

        @Override
        void validate() {
            if (required != null && pairs.size() != 1) {
                throw usage("--require-version takes one KEY=VALUE, not " + pairs.size());
            }
            for (String pair : pairs) {
                if (pair.indexOf('=') <= 0) {
                    throw usage("expected KEY=VALUE, got '" + pair + "' (with -r, KEY=- reads the value from standard input)");
                }
            }
            if (raw && pairs.stream().filter(p -> p.substring(p.indexOf('=') + 1).equals("-")).count() > 1) {
                throw usage("-r reads standard input for one KEY=- only");
            }
        }

        @Override
        Txn txn() throws IOException {
            Txn txn = new Txn();
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                String key = pair.substring(0, eq);
                String text = pair.substring(eq + 1);
                byte[] value = raw && text.equals("-") ? System.in.readAllBytes() : text.getBytes(StandardCharsets.UTF_8);
                if (required != null) {
                    txn.require(key, required);
                }
                if (append) {
                    txn.append(key, value);
                } else {
                    txn.put(key, value);
                }
            }
            return txn;
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true, description = "Appends to a key; prints the new root version.")
    static final class Append extends Commit {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        Txn txn() {
            return new Txn().append(key, text);
        }
    }

    /** One operation on each of several keys, in one commit: unlink or mkdir. */
    abstract static class EachKey extends Commit {
        @Parameters(paramLabel = "KEY", arity = "1..*")
        List<String> keys;

        abstract void add(Txn txn, String key);

        @Override
        Txn txn() {
            Txn txn = new Txn();
            keys.forEach(key -> add(txn, key));
            return txn;
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true,
            description = "Removes keys and everything beneath them in one commit.")
    static final class Unlink extends EachKey {
        @Override
        void add(Txn txn, String key) {
            txn.unlink(key);
        }
    }

    @Command(name = "mkdir", mixinStandardHelpOptions = true,
            description = "Makes empty directories in one commit, replacing what was there.")
    static final class Mkdir extends EachKey {
        @Override
        void add(Txn txn, String key) {
            txn.mkdir(key);
        }
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
            description = "Makes LINKNAME a symlink to TARGET (reads follow it; writes do not).")
    static final class Link extends Commit {
        @Parameters(index = "0", paramLabel = "TARGET")
        String linkTarget;

        @Parameters(index = "1", paramLabel = "LINKNAME")
        String name;

        @Option(names = "-T", paramLabel = "NS", description = "The target is in namespace NS.")
        String targetNamespace;

        @Override
        Txn txn() {
            String t = targetNamespace == null ? linkTarget : targetNamespace + LinkTarget.SEPARATOR + linkTarget;
            return new Txn().symlink(name, t);
        }
    }

    @Command(name = "readlink", mixinStandardHelpOptions = true,
            description = "Prints each symlink's target (NS::KEY for another namespace).")
    static final class Readlink extends Op {
        @Parameters(paramLabel = "KEY", arity = "1..*")
        List<String> keys;

        @ArgGroup
        Part part;

        static final class Part {
            @Option(names = "-o", description = "Print only the target's namespace (the link's own if none).")
            boolean namespaceOnly;

            @Option(names = "-k", description = "Print only the target's key.")
            boolean keyOnly;
        }

        @Option(names = "--at", paramLabel = "V", description = "Read at this root version (if still retained).")
        Long version;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            Namespace ns = ns(client);
            var view = version == null ? ns.latest() : ns.at(version);
            for (String key : keys) {
                Entry e = view.readlink(key);
                if (!e.symlink()) {
                    return fail("'" + key + "' is " + (e.exists() ? "not a symlink" : "missing") + " in namespace '"
                            + ns.name() + "' at version " + e.version());
                }
                LinkTarget t = LinkTarget.parse(e.link());
                if (part != null && part.namespaceOnly) {
                    out.println(t.namespace() == null ? ns.name() : t.namespace());
                } else if (part != null && part.keyOnly) {
                    out.println(t.key());
                } else {
                    out.println(e.link());
                }
            }
            return 0;
        }
    }

    /** An operation from SOURCE to DESTINATION in one commit: copy or move. */
    abstract static class Transfer extends Commit {
        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "DESTINATION")
        String destination;
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = "Copies a key (a directory with everything beneath it) in one commit; prints the version.")
    static final class Copy extends Transfer {
        @Override
        Txn txn() {
            return new Txn().copy(source, destination);
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = "Moves a key: a copy and an unlink in one commit; prints the version.")
    static final class Move extends Transfer {
        @Override
        Txn txn() {
            return new Txn().move(source, destination);
        }
    }

    @Command(name = "getroot", mixinStandardHelpOptions = true,
            description = "Prints the namespace's root: its version and owner, as JSON (or one of them).")
    static final class Getroot extends Op {
        @ArgGroup
        Part part;

        static final class Part {
            @Option(names = "-s", description = "Print only the root version (Flux's sequence number).")
            boolean sequence;

            @Option(names = "-o", description = "Print only the owner.")
            boolean owner;
        }

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            for (NamespaceInfo info : client.namespaces()) {
                if (info.name().equals(target.namespace)) {
                    if (part != null && part.sequence) {
                        out.println(info.version());
                    } else if (part != null && part.owner) {
                        out.println(info.owner());
                    } else {
                        out.println("{\"namespace\":" + quote(info.name()) + ",\"owner\":" + quote(info.owner())
                                + ",\"version\":" + info.version() + "}");
                    }
                    return 0;
                }
            }
            return fail("no namespace '" + target.namespace + "'");
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the namespace's root version.")
    static final class Version extends Op {
        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            out.println(ns(client).version());
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
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            Namespace ns = ns(client);
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
            description = "Prints a key's changes, each with its version, until the watch ends, -c N events arrived,"
                    + " or Ctrl-C.")
    static final class WatchKey extends Op {
        @Parameters(paramLabel = "KEY")
        String key;

        @Option(names = "--mode", defaultValue = "value", description = "value, append, create or directory (default: ${DEFAULT-VALUE}).")
        String mode;

        @Mixin
        KvsWatchFlags flags;

        private WatchMode watchMode;

        @Override
        void validate() {
            try {
                watchMode = WatchMode.valueOf(mode.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw usage("--mode must be value, append, create or directory, not '" + mode + "'");
            }
            if (flags.append && watchMode != WatchMode.VALUE && watchMode != WatchMode.APPEND) {
                throw usage("-A is --mode append; it cannot be combined with --mode " + mode);
            }
            if (flags.problem() != null) {
                throw usage(flags.problem());
            }
        }

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            ns(client).watch(key, flags.mode(watchMode), flags.options(), events::add);
            for (int seen = 0;; seen++) {
                WatchEvent event = events.take();
                if (event instanceof WatchEvent.Ended end) {
                    if (end.reason() == WatchEvent.Reason.CANCELLED && flags.count != null && seen == flags.count) {
                        return 0;   // -c N: the watch ended itself after the N-th event
                    }
                    out.println("v" + end.version() + " ended: " + end.reason());
                    return switch (end.reason()) {
                        case CANCELLED, CREATED, REPLACED -> 0;
                        default -> 1;
                    };
                }
                out.println(describe(event));
                out.flush();
            }
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

    /** Why a watch that a command follows ended, as the command's failure message; null if it ended as asked. */
    static String endReason(String key, WatchEvent.Ended end) {
        return switch (end.reason()) {
            case CANCELLED, CREATED -> null;
            case REPLACED -> "'" + key + "' was replaced at version " + end.version()
                    + ": an append watch ends there (read it at that version and watch again)";
            case OVERFLOWED -> "the watch fell behind at version " + end.version() + " and was ended; watch again";
            case NAMESPACE_REMOVED -> "the namespace was removed at version " + end.version();
            case CLOSED -> "the connection to the server was lost after version " + end.version();
        };
    }
}
