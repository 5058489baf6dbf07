package dev.weft.examples;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Weft;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Two linked components bat a counter back and forth, then report the round-trip rate. */
@Command(name = "ping-pong", mixinStandardHelpOptions = true,
        description = "Two linked components hand a counter back and forth and report round trips per second.")
final class PingPongExample implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "1000000", description = "Round trips to make (default: ${DEFAULT-VALUE}).")
    int rounds;

    @picocli.CommandLine.Mixin
    InspectOption inspect;

    @Spec
    CommandSpec spec;

    /** Sends each number it receives back, plus one; the server also serves the first ball. */
    static final class Player extends Component {
        final Inbox<Integer> inbox = inbox(Integer.class);
        final Outbox<Integer> outbox = outbox(Integer.class);
        private final int last;
        private final boolean serves;

        Player(String name, int last, boolean serves) {
            super(name);
            this.last = last;
            this.serves = serves;
        }

        @Override
        protected void run() throws InterruptedException {
            if (serves) {
                outbox.send(0);
            }
            for (;;) {
                int ball = inbox.receive();
                if (ball >= last) {
                    if (ball == last) {
                        outbox.send(ball + 1);
                    }
                    return;
                }
                outbox.send(ball + 1);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rounds must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        int last = 2 * rounds - 1;
        try (Weft weft = inspect.start(Weft.builder())) {
            Player ping = new Player("ping", last, true);
            Player pong = new Player("pong", last, false);
            weft.link(ping.outbox, pong.inbox);
            weft.link(pong.outbox, ping.inbox);
            long start = System.nanoTime();
            weft.spawn(pong);
            weft.spawn(ping);
            ping.join();
            pong.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf("%,d round trips in %.3f s: %,.0f round trips/s%n", rounds, seconds, rounds / seconds);
            out.flush();
        }
        return 0;
    }
}
