package dev.weft.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The examples launcher: {@code weft list} names the examples, {@code weft run <name> [options]}
 * runs one. Each example is a picocli subcommand of {@link RunCommand}.
 */
@Command(name = "weft",
        mixinStandardHelpOptions = true,
        version = "Weft examples 0.1.0",
        description = "Runs the Weft examples.",
        subcommands = {ListCommand.class, RunCommand.class, KvsCommand.class, CommandLine.HelpCommand.class})
public final class Launcher {

    private Launcher() {
    }

    /** Builds the launcher's command line, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Launcher());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
