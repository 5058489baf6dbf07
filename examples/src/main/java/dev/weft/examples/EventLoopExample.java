package dev.weft.examples;

import dev.weft.runtime.Bridge;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A plain {@link Selector} loop on a platform thread reads numbers from a pipe, hands them to a
 * component, and gets the squares back through a {@link Bridge} whose wake-up hook is
 * {@code selector::wakeup}: one {@code select()} waits for both socket-style readiness and Weft.
 */
@Command(name = "event-loop", mixinStandardHelpOptions = true,
        description = "A java.nio Selector loop on a platform thread exchanges messages with a component through a bridge.")
final class EventLoopExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    private static final int PRINT_EACH_UP_TO = 20;

    @Option(names = "--count", defaultValue = "5", description = "Numbers to square (default: ${DEFAULT-VALUE}).")
    long count;

    @Spec
    CommandSpec spec;

    /** The reply: a number and its square. */
    record Squared(long n, long square) {
    }

    /** Squares each number it receives, until told to shut down. */
    static final class Squarer extends Component {
        final Inbox<Long> inbox = inbox(Long.class);
        final Outbox<Squared> outbox = outbox(Squared.class);

        Squarer() {
            super("squarer");
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == control) {
                    return;
                }
                long n = inbox.poll();
                outbox.send(new Squared(n, n * n));
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink();
                Selector selector = Selector.open(); Weft weft = inspect.start(Weft.builder())) {
            AtomicLong bridgeWakeUps = new AtomicLong();
            Squarer squarer = weft.spawn(new Squarer());
            Bridge<Squared> bridge = weft.spawn(new Bridge<>("selector-loop", Squared.class, () -> {
                bridgeWakeUps.incrementAndGet();            // runs on the squarer's thread: cheap, no blocking
                selector.wakeup();
            }));
            weft.link(squarer.outbox, bridge.inbox);

            Loop loop = new Loop(selector, source, squarer, bridge, out);
            CompletableFuture<Long> loopDone = new CompletableFuture<>();
            Thread thread = Thread.ofPlatform().name("selector-loop").start(() -> {
                try {
                    loopDone.complete(loop.run());
                } catch (IOException | RuntimeException e) {
                    loopDone.completeExceptionally(e);
                }
            });

            ByteBuffer numbers = ByteBuffer.allocate(Long.BYTES);
            for (long n = 1; n <= count; n++) {                    // the "client": writes into the pipe
                numbers.clear().putLong(n).flip();
                while (numbers.hasRemaining()) {
                    sink.write(numbers);
                }
            }
            sink.close();

            long selects = loopDone.get();
            thread.join();
            out.printf("loop: all %,d results in after %,d select() returns, %,d of them woken by the bridge; "
                    + "bridge %s%n", count, selects, bridgeWakeUps.get(), bridge.state().name().toLowerCase(Locale.ROOT));
            out.flush();
        }
        return 0;
    }

    /** The foreign event loop. Everything here runs on the "selector-loop" platform thread. */
    private final class Loop {
        private final Selector selector;
        private final Pipe.SourceChannel source;
        private final Squarer squarer;
        private final Bridge<Squared> bridge;
        private final PrintWriter out;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * Long.BYTES);
        private final ArrayDeque<Long> pending = new ArrayDeque<>();

        Loop(Selector selector, Pipe.SourceChannel source, Squarer squarer, Bridge<Squared> bridge, PrintWriter out) {
            this.selector = selector;
            this.source = source;
            this.squarer = squarer;
            this.bridge = bridge;
            this.out = out;
        }

        /** Runs until every square is back; returns how often select() returned. */
        long run() throws IOException {
            source.configureBlocking(false);
            SelectionKey key = source.register(selector, SelectionKey.OP_READ);
            long results = 0;
            long selects = 0;
            while (results < count) {
                selector.select();
                selects++;
                if (key.isValid() && key.isReadable()) {
                    readNumbers(key);
                }
                selector.selectedKeys().clear();
                Squared r;
                while ((r = bridge.poll()) != null) {           // drain until null: that re-arms the hook
                    results++;
                    if (count <= PRINT_EACH_UP_TO) {
                        out.printf("loop: %d squared is %d%n", r.n(), r.square());
                    }
                }
                // Never block the loop: trySend, and keep what did not fit for the next wake-up. Each
                // number the squarer takes comes back as a reply, which wakes us to send more.
                while (!pending.isEmpty() && squarer.inbox.trySend(pending.peek())) {
                    pending.poll();
                }
            }
            bridge.close();
            return selects;
        }

        private void readNumbers(SelectionKey key) throws IOException {
            int read = source.read(buffer);
            buffer.flip();
            while (buffer.remaining() >= Long.BYTES) {
                long n = buffer.getLong();
                pending.add(n);
                if (count <= PRINT_EACH_UP_TO) {
                    out.printf("loop: read %d from the pipe, passing it to the squarer%n", n);
                }
            }
            buffer.compact();
            if (read < 0) {
                key.cancel();
                out.printf("loop: the pipe is at its end%n");
            }
        }
    }
}
