package dev.weft.examples;

import dev.weft.actors.supervise.ChildSpec;
import dev.weft.actors.supervise.Restart;
import dev.weft.actors.supervise.Strategy;
import dev.weft.actors.supervise.SupervisionEvent;
import dev.weft.actors.supervise.Supervisor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A flaky worker under a supervisor: it crashes on cursed jobs and comes back, ever more slowly. */
@Command(name = "supervised", mixinStandardHelpOptions = true,
        description = "A flaky worker crashes on some jobs; its supervisor restarts it with back-off and the jobs keep flowing.")
final class SupervisedExample implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    InspectOption inspect;

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Option(names = "--jobs", defaultValue = "20", description = "Jobs to hand out (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--crash-every", defaultValue = "7",
            description = "Every n-th job crashes the worker (default: ${DEFAULT-VALUE}).")
    int crashEvery;

    @Spec
    CommandSpec spec;

    /** A job's result. */
    record Done(int job, int square, String worker) {
    }

    /** Squares numbers, and crashes on every {@code crashEvery}-th. */
    static final class FlakyWorker extends Component {
        final Inbox<Integer> inbox = inbox("inbox", Integer.class);
        final Outbox<Done> outbox = outbox("outbox", Done.class);
        private final int crashEvery;

        FlakyWorker(String name, int crashEvery) {
            super(name);
            this.crashEvery = crashEvery;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                    continue;
                }
                int job = inbox.poll();
                if (job % crashEvery == 0) {
                    throw new IllegalStateException("job " + job + " is cursed");
                }
                outbox.send(new Done(job, job * job, name()));
            }
        }
    }

    /** Prints results and supervision events; tells the main thread when a job's outcome is known. */
    static final class Reporter extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class);
        private final PrintWriter out;
        private final BlockingQueue<String> outcomes;

        Reporter(PrintWriter out, BlockingQueue<String> outcomes) {
            this.out = out;
            this.outcomes = outcomes;
        }

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                if (select(inbox, control) == control) {
                    if (control.poll() instanceof Shutdown) {
                        return;
                    }
                    continue;
                }
                switch (inbox.poll()) {
                    case Done d -> {
                        out.printf("  job %2d -> %4d  (%s)%n", d.job(), d.square(), d.worker());
                        outcomes.add("done");
                    }
                    case SupervisionEvent.Started s -> {
                        out.printf("started %s%n", s.instance().name());
                        if (s.restarts() > 0) {
                            outcomes.add("restarted");
                        }
                    }
                    case SupervisionEvent.Exited e -> out.printf("%s %s: %s%n", e.how().component().name(),
                            e.how().state().name().toLowerCase(java.util.Locale.ROOT),
                            e.how().cause() == null ? "-" : e.how().cause().getMessage());
                    case SupervisionEvent.RestartScheduled r ->
                            out.printf("restarting %s in %d ms%n", r.child(), r.delay().toMillis());
                    case SupervisionEvent.GivingUp g -> out.printf("giving up on %s%n", g.child());
                    default -> { }
                }
                out.flush();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (jobs < 1 || crashEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--jobs and --crash-every must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        try (Weft weft = inspect.start(Weft.builder())) {
            Reporter reporter = weft.spawn(new Reporter(out, outcomes));
            AtomicInteger instances = new AtomicInteger();
            Supervisor supervisor = Supervisor.builder()
                    .name("supervisor")
                    .strategy(Strategy.ONE_FOR_ONE)
                    .intensity(jobs, Duration.ofMinutes(1))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(500))
                    .child(ChildSpec.of("worker", () -> new FlakyWorker("worker-" + instances.incrementAndGet(), crashEvery))
                            .restart(Restart.PERMANENT)
                            .entry("inbox", Integer.class)
                            .link("outbox", reporter.inbox))
                    .build();
            weft.link(supervisor.events, reporter.inbox);
            weft.spawn(supervisor);
            Sink<Integer> work = supervisor.entry("worker", "inbox", Integer.class);

            int done = 0;
            int crashes = 0;
            for (int job = 1; job <= jobs; job++) {
                work.send(job);   // the entry reaches whichever worker runs now
                String outcome = outcomes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (outcome == null) {
                    out.printf("job %d: no outcome within %s%n", job, WAIT);
                    out.flush();
                    return 1;
                }
                if (outcome.equals("done")) {
                    done++;
                } else {
                    crashes++;
                }
            }
            supervisor.shutdown();
            supervisor.join();
            out.printf("%d jobs: %d done, %d lost to crashes, the worker was restarted %d times%n",
                    jobs, done, crashes, crashes);
            out.flush();
        }
        return 0;
    }
}
