package dev.weft.actors.flow;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Writes each message it receives as a line ({@link String#valueOf(Object)}) to standard output or
 * to a given writer, flushing after each. Its inbox takes any type, so any outbox can link to it.
 */
public final class ConsoleWriter extends InputLoop<Object> {
    private final PrintWriter out;

    /** Writes to {@link System#out}. */
    public ConsoleWriter() {
        this(System.out);
    }

    /** Writes to {@code stream}. */
    public ConsoleWriter(PrintStream stream) {
        super(Object.class);
        this.out = new PrintWriter(new java.io.OutputStreamWriter(stream, stream.charset()), true);
    }

    /** Writes to {@code writer}. */
    public ConsoleWriter(Writer writer) {
        super(Object.class);
        this.out = new PrintWriter(writer, true);
    }

    @Override
    void accept(Object message) {
        out.println(message);
    }
}
