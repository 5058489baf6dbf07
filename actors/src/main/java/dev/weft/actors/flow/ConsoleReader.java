package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;

/**
 * Reads lines from standard input (or a given reader) and sends each on its {@link #outbox}. At the
 * end of input it sends {@link ProducerFinished} on {@link #signal} and ends. A {@link Shutdown}
 * is noticed between lines: a read that blocks cannot be cut short except by
 * {@link Component#stop()}, and not at all for {@code System.in}, so close the input to end it.
 */
public final class ConsoleReader extends Component {
    /** One message per line read, without the line terminator. */
    public final Outbox<String> outbox = outbox("outbox", String.class);
    private final Reader source;

    /** Reads from {@link System#in}. */
    public ConsoleReader() {
        this(new InputStreamReader(System.in, System.console() != null
                ? System.console().charset() : java.nio.charset.Charset.defaultCharset()));
    }

    /** Reads from {@code source}. */
    public ConsoleReader(Reader source) {
        this.source = source;
    }

    @Override
    protected void run() throws Exception {
        BufferedReader lines = source instanceof BufferedReader b ? b : new BufferedReader(source);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (control.poll() instanceof Shutdown) {
                return;
            }
            outbox.send(line);
        }
        InputLoop.sendSignal(signal, new ProducerFinished(this));
    }
}
