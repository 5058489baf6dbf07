package dev.weft.examples;

import picocli.CommandLine.Command;

/** {@code weft run <example>}: one subcommand per example. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = "Runs an example. 'weft run <example> --help' shows its options.",
        synopsisSubcommandLabel = "<example>",
        subcommands = {
            PingPongExample.class,
            EventLoopExample.class,
            WordCountExample.class,
            SupervisedExample.class,
            EchoExample.class,
            ChatExample.class,
            ProxyExample.class,
            InspectDemoExample.class,
            KvsServerExample.class,
        })
final class RunCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name an example to run; 'weft list' shows them");
    }
}
