package dev.weft.examples;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code weft list}: prints every example with its one-line description. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the examples.")
final class ListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, CommandLine> examples = spec.root().subcommands().get("run").getSubcommands();
        int width = examples.keySet().stream().mapToInt(String::length).max().orElse(0);
        examples.forEach((name, command) -> {
            String[] description = command.getCommandSpec().usageMessage().description();
            out.printf("  %-" + width + "s  %s%n", name, description.length == 0 ? "" : description[0]);
        });
        out.flush();
    }
}
