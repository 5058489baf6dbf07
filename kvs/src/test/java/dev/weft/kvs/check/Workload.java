package dev.weft.kvs.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Drives a {@link KvTarget} with concurrent clients issuing a random mix of reads, puts,
 * compare-and-sets and multi-key transactions on a few keys, records the history, and crashes and
 * restarts the store several times while they run.
 *
 * <pre>{@code
 * Workload.Result run = Workload.run(target, Workload.Settings.fromSystemProperties());
 * Report report = LinearizabilityChecker.check(run.history());
 * }</pre>
 */
public final class Workload {
    /*
     * Each client has its own session, random stream and memory of the key versions it last saw,
     * which its compare-and-sets and transactions require (so some succeed and many conflict). Every
     * value is unique ("c<client>.<n><key>"), which is how a read names the write it saw.
     *
     * The fault loop spreads the faults over the run by progress, not time: fault i comes when
     * i/(faults+1) of the operations have completed, waiting on the recorder's condition. So that
     * a fast store cannot finish before its faults come, clients wait (on the gate) rather than
     * issue more than a quarter of a fault's interval beyond the next fault's point until it has
     * happened. After the clients stop, one more session reads every key: the final state, in
     * which an acknowledged commit that was lost would show.
     */

    /**
     * How big a run is.
     *
     * @param clients concurrent clients (8 or more for a meaningful check)
     * @param keys how many keys they share
     * @param ops how many operations they issue in all
     * @param faults how many crashes and restarts to spread over the run
     * @param limit how long the run may take before the clients are stopped
     * @param seed the random seed
     */
    public record Settings(int clients, int keys, int ops, int faults, Duration limit, long seed) {
        /** The default run: about a second against the in-process store, ten against the server. */
        public static final Settings DEFAULT = new Settings(8, 5, 10_000, 5, Duration.ofSeconds(90), 1);

        public Settings {
            if (clients < 1 || keys < 2 || ops < 1 || faults < 0) {
                throw new IllegalArgumentException("a workload needs clients >= 1, keys >= 2, ops >= 1, faults >= 0");
            }
        }

        /**
         * Returns {@link #DEFAULT} with each setting overridden by its system property, if set:
         * {@code weft.lin.clients}, {@code weft.lin.keys}, {@code weft.lin.ops},
         * {@code weft.lin.faults}, {@code weft.lin.limitSeconds}, {@code weft.lin.seed} (the seed
         * defaults to the time, and is printed with the result so a run can be repeated).
         */
        public static Settings fromSystemProperties() {
            return new Settings(Integer.getInteger("weft.lin.clients", DEFAULT.clients),
                    Integer.getInteger("weft.lin.keys", DEFAULT.keys),
                    Integer.getInteger("weft.lin.ops", DEFAULT.ops),
                    Integer.getInteger("weft.lin.faults", DEFAULT.faults),
                    Duration.ofSeconds(Long.getLong("weft.lin.limitSeconds", DEFAULT.limit.toSeconds())),
                    Long.getLong("weft.lin.seed", System.nanoTime()));
        }
    }

    /** What a run did: its history, the faults injected, and how long it took. */
    public record Result(Settings settings, History history, int faults, Duration elapsed) {
        @Override
        public String toString() {
            return history.ops().size() + " ops by " + settings.clients() + " clients on " + settings.keys()
                    + " keys, " + faults + " faults, " + elapsed.toMillis() + " ms, seed " + settings.seed();
        }
    }

    private final KvTarget target;
    private final Settings settings;
    private final Recorder recorder = new Recorder();
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final ReentrantLock gate = new ReentrantLock();
    private final Condition faulted = gate.newCondition();
    private int faultsDone;          // guarded by gate; faults() once the fault loop ended
    private final int slack;

    private Workload(KvTarget target, Settings settings) {
        this.target = target;
        this.settings = settings;
        for (int k = 0; k < settings.keys(); k++) {
            keys.add("k" + k);
        }
        this.slack = Math.max(1, settings.ops() / (settings.faults() + 1) / 4);
    }

    /**
     * Runs {@code settings.ops()} operations against {@code target} with {@code settings.faults()}
     * crashes, then reads every key once more.
     *
     * @throws AssertionError if a client failed in a way the workload does not expect (a bug in
     *     the adapter), or the clients do not stop within the limit plus 30 s
     */
    public static Result run(KvTarget target, Settings settings) throws Exception {
        return new Workload(target, settings).run();
    }

    private Result run() throws Exception {
        long start = System.nanoTime();
        long deadline = start + settings.limit().toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < settings.clients(); c++) {
            int client = c;
            clients.add(Thread.ofVirtual().name("workload-client-" + c).start(() -> client(client)));
        }
        int faults = 0;
        try {
            for (int f = 1; f <= settings.faults(); f++) {
                if (!recorder.awaitCompleted(threshold(f), Duration.ofNanos(deadline - System.nanoTime()))) {
                    break;
                }
                target.crash();
                target.restart();
                faults++;
                faulted(faults);
            }
        } finally {
            faulted(settings.faults());
            for (Thread client : clients) {
                if (!client.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    halt();
                }
            }
            halt();
            for (Thread client : clients) {
                if (!client.join(Duration.ofSeconds(30))) {
                    client.interrupt();
                    if (!client.join(Duration.ofSeconds(10))) {
                        throw new AssertionError(client.getName() + " is stuck in a call:\n" + stackOf(client));
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a workload client failed unexpectedly", failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        readEverything();
        return new Result(settings, recorder.history(), faults, Duration.ofNanos(System.nanoTime() - start));
    }

    private void client(int client) {
        Random random = new Random(settings.seed() * 1_000_003 + client);
        Map<String, Long> known = new HashMap<>();
        try (KvTarget.Session session = target.open(client)) {
            for (int n = 0; !stop.get(); n++) {
                int global = issued.getAndIncrement();
                if (global >= settings.ops() || !awaitTurn(global)) {
                    break;
                }
                Call call = next(random, client, n, known);
                Recorder.Pending p = recorder.invoke(client, call);
                if (call instanceof Call.Read read) {
                    read(session, read, p, known);
                } else {
                    write(session, (Call.Write) call, p, known);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            failures.add(e);
        }
    }

    /** The number of completed operations at which fault {@code f} (from 1) comes. */
    private int threshold(int f) {
        return (int) ((long) settings.ops() * f / (settings.faults() + 1));
    }

    /** Stops the clients after their current call, waking those that wait for a fault. */
    private void halt() {
        gate.lock();
        try {
            stop.set(true);
            faulted.signalAll();
        } finally {
            gate.unlock();
        }
    }

    private void faulted(int count) {
        gate.lock();
        try {
            faultsDone = count;
            faulted.signalAll();
        } finally {
            gate.unlock();
        }
    }

    /** Waits while operation {@code n} would run too far past the next fault's point; false if the run stops. */
    private boolean awaitTurn(int n) throws InterruptedException {
        gate.lock();
        try {
            while (faultsDone < settings.faults() && n >= threshold(faultsDone + 1) + slack) {
                if (stop.get()) {
                    return false;
                }
                faulted.await();
            }
            return true;
        } finally {
            gate.unlock();
        }
    }

    private static void read(KvTarget.Session session, Call.Read read, Recorder.Pending p, Map<String, Long> known)
            throws InterruptedException {
        Outcome.Read result;
        try {
            result = session.read(read.keys());
        } catch (InterruptedException e) {
            p.failed("interrupted");
            throw e;
        } catch (Exception e) {
            p.failed(e.toString());
            return;
        }
        p.read(result);
        for (Outcome.Seen s : result.seen()) {
            if (s.keyVersion() >= 0) {
                known.put(s.key(), s.keyVersion());
            }
        }
    }

    private static void write(KvTarget.Session session, Call.Write write, Recorder.Pending p, Map<String, Long> known)
            throws InterruptedException {
        long version;
        try {
            version = session.commit(write);
        } catch (PreconditionFailed e) {
            p.refused(e.key(), e.actual(), e.version());
            if (e.key() != null && e.actual() >= 0) {
                known.put(e.key(), e.actual());
            }
            return;
        } catch (NotApplied e) {
            p.failed(e.getMessage());
            return;
        } catch (InterruptedException e) {
            p.unknown("interrupted");
            throw e;
        } catch (Exception e) {
            p.unknown(e.toString());
            return;
        }
        p.committed(version);
        if (version >= 0) {
            write.puts().forEach(put -> known.put(put.key(), version));
        }
    }

    /** A random call: 40% reads (some of several keys), 15% puts, 25% compare-and-sets, 20% transactions. */
    private Call next(Random random, int client, int n, Map<String, Long> known) {
        int kind = random.nextInt(100);
        List<String> picked = pick(random, kind < 30 || (kind >= 40 && kind < 80) ? 1 : 2 + random.nextInt(2));
        String value = "c" + client + "." + n;
        if (kind < 40) {
            return new Call.Read(picked);
        }
        String key = picked.get(0);
        if (kind < 55) {
            return Call.Write.put(key, value + key);
        }
        if (kind < 80) {
            return Call.Write.cas(key, known.getOrDefault(key, 0L), value + key);
        }
        List<Call.Require> requires = new ArrayList<>();
        List<Call.Put> puts = new ArrayList<>();
        for (String k : picked) {
            puts.add(new Call.Put(k, value + k));
            if (requires.isEmpty() || random.nextBoolean()) {
                requires.add(new Call.Require(k, known.getOrDefault(k, 0L)));
            }
        }
        return new Call.Write(requires, puts);
    }

    private List<String> pick(Random random, int n) {
        List<String> all = new ArrayList<>(keys);
        List<String> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(all.remove(random.nextInt(all.size())));
        }
        return picked;
    }

    /** Reads every key in one final call, recorded like any other, retrying while the store refuses. */
    private void readEverything() throws Exception {
        int client = settings.clients();
        try (KvTarget.Session session = target.open(client)) {
            Call.Read read = new Call.Read(keys);
            for (int attempt = 1; ; attempt++) {
                Recorder.Pending p = recorder.invoke(client, read);
                try {
                    p.read(session.read(keys));
                    return;
                } catch (Exception e) {
                    p.failed(e.toString());
                    if (attempt == 10) {
                        throw new AssertionError("the final read of every key failed 10 times", e);
                    }
                }
            }
        }
    }

    private static String stackOf(Thread thread) {
        StringBuilder s = new StringBuilder();
        for (StackTraceElement e : thread.getStackTrace()) {
            s.append("\tat ").append(e).append('\n');
        }
        return s.toString();
    }
}
