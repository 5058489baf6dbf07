package dev.weft.examples;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of the launcher: its exit code and what it printed. */
record LauncherRun(int exitCode, String out, String err) {

    /** Runs the launcher with {@code args}, capturing standard output and error. */
    static LauncherRun launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Launcher.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new LauncherRun(code, out.toString(), err.toString());
    }
}
