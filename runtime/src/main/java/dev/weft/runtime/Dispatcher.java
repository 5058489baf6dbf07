package dev.weft.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs the turns of handler-style actors on a few long-lived worker virtual threads. One per
 * runtime; no thread exists until the first unit is submitted.
 *
 * <pre>
 *            submit from a turn                    submit from any other thread
 *                   |                                         |
 *   worker 1        v               worker 2                  v
 *   +----------------------+        +------------------+    +--------------+
 *   | run-next  [B]        |        | run-next  [ ]    |    | global queue | (injection)
 *   | run queue [C D E]  <-+-steal--+ run queue [ ]    |    +--------------+
 *   | turn: A              |        | idle: parked     |
 *   +----------------------+        +------------------+
 *   slots: parallelism (default: available processors); a worker runs turns only while it holds one
 *   monitor: a daemon thread that retakes the slot of a worker stuck on one turn
 * </pre>
 */
final class Dispatcher implements AutoCloseable {
    /*
     * Slots. There are `parallelism` slots; a worker runs turns only while it holds one, so at most
     * `parallelism` turns run at once except for turns that blocked (below). A slot is held by a
     * worker (running, spinning or parked idle) or free (`freeSlots`). A worker is started only
     * for a free slot, and a worker whose turn lost its slot ends when that turn does, unless it
     * finds a free slot.
     *
     * Submission. A unit readied inside a turn goes to that worker's run-next slot (see Worker);
     * from anywhere else it goes to the global queue, followed by wakeIfNeeded().
     *
     * Waking without losing a wake-up (Go's wakep/spinning protocol). `spinning` counts workers
     * that are looking for work; `parkedCount` counts parked workers (each holding its slot).
     *
     *   submitter:  push the unit (a CAS, or a release store then a full fence)
     *               if spinning == 0 and (parkedCount > 0 or freeSlots > 0):
     *                   CAS spinning 0 -> 1 (one waker at a time), then pop a parked worker and
     *                   unpark it, or take a free slot and start a worker; either starts spinning.
     *                   If neither is left, undo the increment.
     *   idle worker: register on the parked stack (parkedCount++, under the idle lock)
     *               if it was spinning: spinning-- (an atomic add)
     *               full fence; look at the global queue and every run queue once more
     *               if there is work: take itself off the stack (or, if a waker already popped it,
     *               accept that wake) and look again as a spinner; else park until popped
     *   spinner that found work: spinning--; if that made it 0 and work still waits, wakeIfNeeded()
     *
     * Every access above is volatile or fenced, so they fall in one total order. A submitter that
     * reads spinning != 0 reads it before that spinner's decrement, and the spinner looks at the
     * queues after its decrement, so it sees the unit (and, if busy, wakes another). A submitter
     * that reads parkedCount == 0 and freeSlots == 0 reads them before any later registration or
     * release, whose re-check then sees the unit. Otherwise the submitter wakes someone. So a ready
     * unit always has a worker that will look at it. A submitter that loses the CAS on spinning
     * leaves the unit to the spinner that won it, which is covered by the first case.
     *
     * Blocking. A turn that is about to block inside Weft (receive, select, a full inbox, ask)
     * calls aboutToBlock(): its worker marks itself LAME, moves run-next and its run queue to the
     * global queue, frees its slot and wakes a worker for it. A turn that blocks elsewhere (JDBC,
     * a file, sleep, a long computation) cannot tell us; the monitor looks at every worker once a
     * tick (the stuck-turn threshold) and, if a worker is on the same turn as at the last tick and
     * work is waiting, does the same hand-off for it. Go's sysmon retakes a P stuck in a syscall
     * the same way. A worker that lost its slot finishes its turn without one: what that turn
     * readies goes to the global queue.
     *
     * The monitor sleeps while every slot-holding worker is parked: it publishes `monitorAsleep`,
     * re-checks, and parks; whoever un-parks a worker or takes a slot reads `monitorAsleep` after
     * its change and wakes it (the same store-then-load pairing as above).
     */
    static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    /**
     * Every worker thread has this name; Dispatcher.current() compares names by identity, so a
     * thread that is not a worker answers in one field read and never gets a ThreadLocal map
     * allocated just for asking (a thread-style component parks through aboutToBlock too).
     */
    static final String WORKER_NAME = "weft-worker";
    static final Duration DEFAULT_STUCK_THRESHOLD = Duration.ofMillis(5);
    private static final Worker[] NO_WORKERS = new Worker[0];
    private static final VarHandle SPINNING;
    private static final VarHandle FREE_SLOTS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SPINNING = lookup.findVarHandle(Dispatcher.class, "spinning", int.class);
            FREE_SLOTS = lookup.findVarHandle(Dispatcher.class, "freeSlots", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ConcurrentLinkedQueue<Schedulable> global = new ConcurrentLinkedQueue<>();
    private final int parallelism;
    private final long stuckNanos;
    private final Consumer<Worker> launcher;
    private final ReentrantLock idleLock = new ReentrantLock();
    /** Parked workers, most recently parked first. Guarded by idleLock. */
    private final ArrayDeque<Worker> parked = new ArrayDeque<>();
    private final LongAdder workersStarted = new LongAdder();
    private final LongAdder handOffs = new LongAdder();
    private final LongAdder retakes = new LongAdder();
    /** Written under idleLock, read anywhere. */
    private volatile int parkedCount;
    private volatile int spinning;
    private volatile int freeSlots;
    /** Every live worker, holding a slot or not: copy-on-write under idleLock. */
    private volatile Worker[] workers = NO_WORKERS;
    private volatile boolean closed;
    private volatile boolean monitorAsleep;
    private Thread monitor;

    /** A dispatcher whose workers are virtual threads, watched by a monitor thread. */
    Dispatcher(int parallelism, Duration stuckThreshold) {
        this(parallelism, stuckThreshold, null);
    }

    /** A dispatcher that hands each new worker to {@code launcher} instead (tests drive it by hand). */
    Dispatcher(int parallelism, Duration stuckThreshold, Consumer<Worker> launcher) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + parallelism);
        }
        if (stuckThreshold.isNegative() || stuckThreshold.isZero()) {
            throw new IllegalArgumentException("the stuck-turn threshold must be positive: " + stuckThreshold);
        }
        this.parallelism = parallelism;
        this.stuckNanos = stuckThreshold.toNanos();
        this.freeSlots = parallelism;
        this.launcher = launcher != null ? launcher : this::startVirtual;
    }

    // ---------------------------------------------------------------- submitting

    /**
     * Queues one turn of {@code unit}. The caller guarantees the unit is not queued already.
     * From a turn on one of this dispatcher's workers it goes to that worker's run-next slot.
     */
    void submit(Schedulable unit) {
        Worker w = current();
        if (w != null && w.dispatcher == this && w.pushFromTurn(unit)) {
            return;
        }
        global.offer(unit);
        wakeIfNeeded();
    }

    /**
     * Called by code about to block inside Weft: if the caller is a worker running a turn, it
     * gives up its slot and hands its queued units to the others first.
     */
    static void aboutToBlock() {
        Worker w = current();
        if (w != null) {
            w.detach();
        }
    }

    /** The worker running on the calling thread, or null. */
    @SuppressWarnings("StringEquality")
    static Worker current() {
        return Thread.currentThread().getName() == WORKER_NAME ? CURRENT.get() : null;
    }

    /** Wakes or starts a spinning worker if none is looking for work and one is available. */
    void wakeIfNeeded() {
        if (spinning != 0 || (parkedCount == 0 && freeSlots == 0)) {
            return;
        }
        if (!SPINNING.compareAndSet(this, 0, 1)) {
            return;
        }
        Worker w;
        idleLock.lock();
        try {
            w = parked.poll();
            if (w != null) {
                parkedCount--;
                w.markWoken();
            }
        } finally {
            idleLock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
            watchMonitor();
        } else if (tryTakeSlot()) {
            startWorker();
        } else {
            SPINNING.getAndAdd(this, -1);
        }
    }

    // ---------------------------------------------------------------- workers' side of the protocol

    boolean mayStartSpinning() {
        int busy = parallelism - parkedCount - freeSlots;
        if (2 * spinning >= busy) {
            return false;
        }
        SPINNING.getAndAdd(this, 1);
        return true;
    }

    void spinningAdded() {
        SPINNING.getAndAdd(this, 1);
    }

    void spinningDone() {
        SPINNING.getAndAdd(this, -1);
    }

    /** A spinner found work: if it was the last one and more work waits, another should look. */
    void spinnerFoundWork(boolean moreInOwnQueue) {
        if ((int) SPINNING.getAndAdd(this, -1) == 1 && (moreInOwnQueue || workWaiting())) {
            wakeIfNeeded();
        }
    }

    void parkIdle(Worker w) {
        idleLock.lock();
        try {
            parked.push(w);
            parkedCount++;
        } finally {
            idleLock.unlock();
        }
    }

    /** Takes {@code w} back off the parked stack; false if a waker popped it first. */
    boolean leaveParked(Worker w) {
        boolean removed;
        idleLock.lock();
        try {
            removed = parked.removeFirstOccurrence(w);
            if (removed) {
                parkedCount--;
            }
        } finally {
            idleLock.unlock();
        }
        if (removed) {
            watchMonitor();
        }
        return removed;
    }

    /** Whether the global queue or any run queue holds a unit (run-next slots are not counted). */
    boolean workWaiting() {
        if (!global.isEmpty()) {
            return true;
        }
        for (Worker w : workers) {
            if (!w.queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    boolean tryTakeSlot() {
        for (;;) {
            int free = freeSlots;
            if (free == 0) {
                return false;
            }
            if (FREE_SLOTS.compareAndSet(this, free, free - 1)) {
                return true;
            }
        }
    }

    void slotTaken() {
        watchMonitor();
    }

    /** Called once {@code w} is LAME (by itself or by the monitor): its queued units and its slot go to others. */
    void handOff(Worker w) {
        handOffs.increment();
        w.sweepToGlobal();
        releaseSlot();
    }

    private void releaseSlot() {
        FREE_SLOTS.getAndAdd(this, 1);
        if (workWaiting()) {
            wakeIfNeeded();
        }
    }

    Worker[] workers() {
        return workers;
    }

    boolean closed() {
        return closed;
    }

    // ---------------------------------------------------------------- worker threads

    private void startWorker() {
        Worker w = new Worker(this, true);
        idleLock.lock();
        try {
            Worker[] all = Arrays.copyOf(workers, workers.length + 1);
            all[all.length - 1] = w;
            workers = all;
        } finally {
            idleLock.unlock();
        }
        workersStarted.increment();
        launcher.accept(w);
        watchMonitor();
    }

    private void startVirtual(Worker w) {
        idleLock.lock();
        try {
            if (monitor == null && !closed) {
                monitor = Thread.ofPlatform().daemon().name("weft-dispatcher-monitor").start(this::monitor);
            }
        } finally {
            idleLock.unlock();
        }
        Thread t = Thread.ofVirtual().name(WORKER_NAME).unstarted(w);
        w.thread = t;
        t.start();
    }

    /** Called by a worker's thread as it ends: forgets it and frees its slot if it held one. */
    void deregister(Worker w) {
        idleLock.lock();
        try {
            Worker[] all = workers;
            int at = Arrays.asList(all).indexOf(w);
            if (at >= 0) {
                Worker[] shrunk = new Worker[all.length - 1];
                System.arraycopy(all, 0, shrunk, 0, at);
                System.arraycopy(all, at + 1, shrunk, at, all.length - at - 1);
                workers = shrunk;
            }
        } finally {
            idleLock.unlock();
        }
        if ((w.turnWord() & Worker.LAME) == 0) {
            releaseSlot();
        }
    }

    // ---------------------------------------------------------------- the monitor

    private void monitor() {
        while (!closed) {
            if (allParked()) {
                monitorAsleep = true;
                if (allParked() && !closed) {
                    LockSupport.park(this);
                }
                monitorAsleep = false;
                continue;
            }
            LockSupport.parkNanos(this, stuckNanos);
            retakeStuck();
        }
    }

    /** One tick: hands off the slot of every worker still on the turn it ran at the last tick. */
    void retakeStuck() {
        for (Worker w : workers) {
            long seen = w.turnWord();
            if (seen == w.lastSeenTurn && (w.hasQueued() || !global.isEmpty()) && w.retakeIfStuck(seen)) {
                retakes.increment();
                handOff(w);
            }
            w.lastSeenTurn = seen;
        }
    }

    private boolean allParked() {
        return parkedCount == parallelism - freeSlots;
    }

    private void watchMonitor() {
        if (monitorAsleep) {
            Thread m = monitor;
            if (m != null) {
                LockSupport.unpark(m);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle and counts

    /**
     * Lets the workers end: parked ones are woken and end, busy ones end once they find no work.
     * A unit submitted later still runs (a worker is started for it and ends after).
     */
    @Override
    public void close() {
        closed = true;
        Worker[] woken;
        idleLock.lock();
        try {
            woken = parked.toArray(NO_WORKERS);
            parked.clear();
            parkedCount = 0;
            SPINNING.getAndAdd(this, woken.length);
            for (Worker w : woken) {
                w.markWoken();
            }
        } finally {
            idleLock.unlock();
        }
        for (Worker w : woken) {
            LockSupport.unpark(w.thread);
        }
        Thread m = monitor;
        if (m != null) {
            LockSupport.unpark(m);
        }
    }

    int parallelism() {
        return parallelism;
    }

    long workersStarted() {
        return workersStarted.sum();
    }

    long handOffs() {
        return handOffs.sum();
    }

    long retakes() {
        return retakes.sum();
    }

    int liveWorkers() {
        return workers.length;
    }

    int parkedWorkers() {
        return parkedCount;
    }

    int spinningWorkers() {
        return spinning;
    }

    int freeSlots() {
        return freeSlots;
    }
}
