package dev.weft.examples;

import dev.weft.kvs.KvsClient;
import dev.weft.kvs.KvsStore;
import dev.weft.kvs.NamespaceInfo;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code weft kvs namespace create|remove|list}: the store's namespaces and their owners. */
@Command(name = "namespace", mixinStandardHelpOptions = true,
        description = "Creates, removes and lists namespaces (creating and removing takes the server's own token).",
        synopsisSubcommandLabel = "(create | remove | list)",
        subcommands = {KvsNamespaceCommand.Create.class, KvsNamespaceCommand.Remove.class, KvsNamespaceCommand.ListAll.class})
final class KvsNamespaceCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name create, remove or list");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates empty namespaces.")
    static final class Create extends KvsCommand.Op {
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Option(names = {"-o", "--owner"}, paramLabel = "OWNER",
                description = "Who owns them, and so may use them (default: the owner of the primary namespace).")
        String owner;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            String by = owner != null ? owner : client.namespaces().stream()
                    .filter(n -> n.name().equals(KvsStore.PRIMARY)).findFirst().map(NamespaceInfo::owner)
                    .orElseThrow(() -> new IllegalArgumentException("name the owner with -o"));
            for (String name : names) {
                client.createNamespace(name, by);
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes namespaces and everything in them.")
    static final class Remove extends KvsCommand.Op {
        @Parameters(paramLabel = "NAME", arity = "1..*")
        List<String> names;

        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            for (String name : names) {
                client.removeNamespace(name);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the namespaces (a user's own only) with owner and root version.")
    static final class ListAll extends KvsCommand.Op {
        @Override
        int run(KvsClient client, PrintWriter out) throws InterruptedException {
            List<NamespaceInfo> all = client.namespaces();
            int width = Math.max("NAMESPACE".length(), all.stream().mapToInt(n -> n.name().length()).max().orElse(0));
            int ownerWidth = Math.max("OWNER".length(), all.stream().mapToInt(n -> n.owner().length()).max().orElse(0));
            String format = "%-" + width + "s  %-" + ownerWidth + "s  %s%n";
            out.printf(format, "NAMESPACE", "OWNER", "VERSION");
            for (NamespaceInfo n : all) {
                out.printf(format, n.name(), n.owner(), n.version());
            }
            return 0;
        }
    }
}
