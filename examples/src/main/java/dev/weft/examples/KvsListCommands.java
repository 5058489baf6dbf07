package dev.weft.examples;

import dev.weft.kvs.Entry;
import dev.weft.kvs.KvsClient;
import dev.weft.kvs.NotADirectoryException;
import dev.weft.kvs.View;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that walk directories, {@code ls} and {@code dir}, both at one version. A listing
 * follows a symlink to the directory it names; recursion does not follow symlinks beneath it.
 */
final class KvsListCommands {
    private KvsListCommands() {
    }

    /** A key joined to a name beneath it ({@code "."} is the root). */
    static String child(String dir, String name) {
        return dir.isEmpty() || dir.equals(".") ? name : dir + "." + name;
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "Lists directories (the root by default), one name a line.")
    static final class Ls extends KvsCommand.Op {
        @Parameters(paramLabel = "DIR", arity = "0..*")
        List<String> dirs;

        @Option(names = "-R", description = "List the directories beneath too, each under a 'DIR:' line.")
        boolean recursive;

        @Option(names = "-F", description = "Mark a directory with '.' and a symlink with '@'.")
        boolean classify;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            View view = ns(client).latest();
            List<String> all = dirs == null || dirs.isEmpty() ? List.of(".") : dirs;
            boolean headers = recursive || all.size() > 1;
            boolean first = true;
            for (String dir : all) {
                List<String> names;
                try {
                    names = view.list(dir);
                } catch (NotADirectoryException e) {
                    if (!view.readlink(dir).exists()) {
                        throw e;
                    }
                    out.println(dir + (classify ? mark(view.readlink(dir)) : ""));   // a value lists as itself, as in ls
                    continue;
                }
                first = list(view, dir, names, headers, first, out);
            }
            return 0;
        }

        /** Prints one directory (and with -R those beneath it); returns false once something was printed. */
        private boolean list(View view, String dir, List<String> names, boolean headers, boolean first, PrintWriter out)
                throws InterruptedException {
            if (headers) {
                if (!first) {
                    out.println();
                }
                out.println(dir + ":");
            }
            List<String> below = new ArrayList<>();
            for (String name : names) {
                Entry e = classify || recursive ? view.readlink(child(dir, name)) : null;
                out.println(name + (classify ? mark(e) : ""));
                if (recursive && e.directory()) {
                    below.add(child(dir, name));
                }
            }
            for (String sub : below) {
                list(view, sub, view.list(sub), headers, false, out);
            }
            return false;
        }

        private static String mark(Entry e) {
            return e.directory() ? "." : e.symlink() ? "@" : "";
        }
    }

    @Command(name = "dir", mixinStandardHelpOptions = true,
            description = "Prints a directory's keys with their values ('KEY = VALUE'; a symlink 'KEY -> TARGET',"
                    + " a directory 'KEY.').")
    static final class Dir extends KvsCommand.Op {
        @Parameters(paramLabel = "DIR", defaultValue = ".")
        String dir;

        @Option(names = "-R", description = "Print everything beneath, not the directories.")
        boolean recursive;

        @Option(names = "-d", description = "Print only the keys, not the values.")
        boolean keysOnly;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            View view = ns(client).latest();
            print(view, dir, out);
            return 0;
        }

        private void print(View view, String at, PrintWriter out) throws InterruptedException {
            for (String name : view.list(at)) {
                String key = child(at, name);
                Entry e = view.readlink(key);
                if (e.directory()) {
                    if (recursive) {
                        print(view, key, out);
                    } else {
                        out.println(key + ".");
                    }
                } else if (e.symlink()) {
                    out.println(key + " -> " + e.link());
                } else if (keysOnly) {
                    out.println(key);
                } else {
                    out.println(key + " = " + new String(e.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }
}
