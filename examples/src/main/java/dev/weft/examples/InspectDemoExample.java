package dev.weft.examples;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.InboxClosedException;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import dev.weft.runtime.inspect.Inspectable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A small long-running graph to look at in the inspector: a ticker feeds jobs to a pool, the pool
 * hands them to its worker children, the workers send results to a collector registered as a
 * service. Each line typed on standard input adds a worker; so does {@code --add-every}.
 */
@Command(name = "inspect-demo", mixinStandardHelpOptions = true,
        description = "A pool of workers that runs until Ctrl-C; Enter adds a worker. Try it with --inspect-port.")
final class InspectDemoExample implements Callable<Integer> {
    static final ServiceKey<String> RESULTS = ServiceKey.of("demo.results", String.class);

    @Option(names = "--workers", defaultValue = "2", description = "Workers to start with (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--tick-millis", defaultValue = "20", description = "Milliseconds between jobs (default: ${DEFAULT-VALUE}).")
    long tickMillis;

    @Option(names = "--work-millis", defaultValue = "60", description = "Milliseconds a worker spends on a job (default: ${DEFAULT-VALUE}).")
    long workMillis;

    @Option(names = "--add-every", defaultValue = "0",
            description = "Also add a worker every this many seconds; 0 for never (default: ${DEFAULT-VALUE}).")
    long addEverySeconds;

    @Mixin
    InspectOption inspect;

    @Spec
    CommandSpec spec;

    /** Asks the pool for one more worker. */
    record AddWorker() {
    }

    /** Sends a number through its outbox every period, until shut down. */
    static final class Ticker<T> extends Component {
        final Outbox<T> outbox;
        private final Duration period;
        private final java.util.function.LongFunction<T> next;

        Ticker(String name, Class<T> type, Duration period, java.util.function.LongFunction<T> next) {
            super(name);
            this.outbox = outbox("outbox", type);
            this.period = period;
            this.next = next;
        }

        @Override
        protected void run() throws InterruptedException {
            for (long n = 0; ; n++) {
                Signal s = control.receive(period);
                if (s instanceof Shutdown) {
                    return;
                }
                if (s == null) {
                    outbox.send(next.apply(n));
                }
            }
        }
    }

    /** Does each job slowly and reports it done. */
    static final class Worker extends Component {
        final Inbox<Long> inbox = inbox("inbox", Long.class, 4);
        final Outbox<String> outbox = outbox(String.class);
        private final long workMillis;

        Worker(String name, long workMillis) {
            super(name);
            this.workMillis = workMillis;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, control);
                Long job = inbox.poll();
                if (job != null) {
                    Thread.sleep(workMillis);
                    outbox.send("job " + job + " done by " + name());
                }
                if (ready == control && control.poll() instanceof Shutdown) {
                    return;
                }
            }
        }
    }

    /** Spawns workers as its children and hands each job to the next one in turn. */
    static final class Pool extends Component implements Inspectable {
        final Inbox<Long> jobs = inbox("jobs", Long.class);
        final Inbox<AddWorker> grow = unboundedInbox("grow", AddWorker.class);
        private final Inbox<String> results;
        private final long workMillis;
        private final List<Worker> workers = new CopyOnWriteArrayList<>();
        private final AtomicLong dispatched = new AtomicLong();
        private int added;
        private int next;

        Pool(Inbox<String> results, long workMillis) {
            super("pool");
            this.results = results;
            this.workMillis = workMillis;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                boolean idle = workers.isEmpty();
                Inbox<?> ready = idle ? select(grow, control) : select(jobs, grow, control);
                for (AddWorker a; (a = grow.poll()) != null; ) {
                    Worker w = new Worker("worker-" + ++added, workMillis);
                    link(w.outbox, results);
                    workers.add(spawn(w));
                }
                Long job = idle ? null : jobs.poll();
                if (job != null) {
                    workers.get(next++ % workers.size()).inbox.send(job);
                    dispatched.incrementAndGet();
                }
                if (ready == control) {
                    Signal s = control.poll();
                    if (s instanceof Shutdown) {
                        return;
                    }
                    if (s instanceof Terminated t) {
                        workers.remove(t.component());
                    }
                }
            }
        }

        @Override
        public Map<String, Object> details() {
            return Map.of("workers", workers.size(), "dispatched", dispatched.get());
        }

        @Override
        public List<Inbox<?>> deliversTo() {
            return workers.stream().<Inbox<?>>map(w -> w.inbox).toList();
        }
    }

    /** Counts the results. */
    static final class Collector extends Component implements Inspectable {
        final Inbox<String> inbox = inbox(String.class);
        private final AtomicLong results = new AtomicLong();

        Collector() {
            super("collector");
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Inbox<?> ready = select(inbox, control);
                while (inbox.poll() != null) {
                    results.incrementAndGet();
                }
                if (ready == control && control.poll() instanceof Shutdown) {
                    return;
                }
            }
        }

        @Override
        public Map<String, Object> details() {
            return Map.of("results", results.get());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (workers < 0 || tickMillis < 1 || workMillis < 0 || addEverySeconds < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--workers, --work-millis and --add-every must not be negative; --tick-millis must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Weft weft = inspect.start(Weft.builder())) {
            Collector collector = weft.spawn(new Collector());
            weft.services().register(RESULTS, collector.inbox);
            Pool pool = new Pool(collector.inbox, workMillis);
            Ticker<Long> ticker = new Ticker<>("ticker", Long.class, Duration.ofMillis(tickMillis), n -> n);
            weft.link(ticker.outbox, pool.jobs);
            weft.spawn(pool);
            for (int i = 0; i < workers; i++) {
                pool.grow.send(new AddWorker());
            }
            weft.spawn(ticker);
            if (addEverySeconds > 0) {
                Ticker<AddWorker> adder = new Ticker<>("adder", AddWorker.class, Duration.ofSeconds(addEverySeconds),
                        n -> new AddWorker());
                weft.link(adder.outbox, pool.grow);
                weft.spawn(adder);
            }
            Thread hook = new Thread(weft::close, "inspect-demo-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            Thread.ofPlatform().daemon().name("inspect-demo-stdin").start(() -> addWorkerPerLine(pool, out));
            out.printf("inspect-demo: %d workers; press Enter to add one, Ctrl-C to stop%n", workers);
            out.flush();
            pool.join();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is what ended the pool; it is closing the runtime now.
            }
        }
        return 0;
    }

    private static void addWorkerPerLine(Pool pool, PrintWriter out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                pool.grow.send(new AddWorker());
                out.println("inspect-demo: adding a worker");
                out.flush();
            }
        } catch (IOException | InboxClosedException | InterruptedException e) {
            // Standard input closed, or the pool has ended: nothing more to add.
        }
    }
}
