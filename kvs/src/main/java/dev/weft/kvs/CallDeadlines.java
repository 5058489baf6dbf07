package dev.weft.kvs;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Fails the calls of one connection that are still unanswered at their deadline, with one timer for
 * all of them. Its virtual thread sleeps until the earliest deadline among the calls in flight (with
 * none in flight, until a call comes), and a call whose deadline is sooner wakes it. So a caller
 * waits for its reply with no timeout of its own: a timed wait per call costs the JDK's scheduler a
 * timer set and cancelled and its timer thread a wake-up, about a tenth of the CPU of 64 clients
 * putting in a loop (docs/benchmarks.md).
 *
 * <p>The sweeper only removes an expired call; a virtual thread of its own fails it, so a callback
 * on a call's future (which runs where the future completes) never holds up the deadlines of the
 * other calls, a synchronous call made inside it included.
 */
final class CallDeadlines {
    private static final long IDLE_MIN = 10_000_000L;
    private static final long IDLE_MAX = 60_000_000_000L;

    /*
     * Waking. The sweeper sets `scanning` before it scans and clears it only once `wakeAt` holds the
     * time it will sleep until: the earliest deadline it saw or, with no call in flight, the
     * longer of the shortest timeout so far and an idle time that starts at IDLE_MIN and doubles
     * with each scan that finds nothing, up to IDLE_MAX (so calls that each finish before the
     * sweeper looks do not wake it one by one, and a tiny timeout does not make an idle connection
     * spin: a call whose deadline is at or after `wakeAt` is seen when the sweeper wakes). A caller
     * adds its call, then wakes the sweeper if it is scanning or would sleep past the new deadline. Both sides write, fence, then read (the sweeper writes
     * `scanning` and reads the calls; a caller writes its call and reads `scanning`), so either the
     * scan sees the new call or the caller sees `scanning` and unparks; an unpark of a sweeper that is
     * not parked yet makes its next park return at once, and it scans again.
     */
    private final Map<Long, ClientConnection.Call> calls;
    private final Thread sweeper;
    private volatile boolean scanning = true;
    private volatile long wakeAt;
    private volatile boolean stopped;
    /** The shortest timeout of a call so far, in nanoseconds (0: none yet): how long an idle sweeper sleeps. */
    private volatile long shortest;
    /** Scans made (for tests); written by the sweeper only. */
    private volatile long scans;

    /** Watches {@code calls}, the connection's calls in flight by request id; an expired call is removed and failed. */
    CallDeadlines(Map<Long, ClientConnection.Call> calls) {
        this.calls = calls;
        this.sweeper = Thread.ofVirtual().name("weft-kvs-client-deadlines").start(this::sweep);
    }

    /** Called after a call with a deadline has been added to the calls. */
    void added(ClientConnection.Call call) {
        long timeout = ClientConnection.nanos(call.timeout());
        if (shortest == 0 || timeout < shortest) {
            shortest = timeout;
        }
        VarHandle.fullFence();
        if (scanning || call.deadline() - wakeAt < 0) {
            LockSupport.unpark(sweeper);
        }
    }

    /** Ends the sweeper (the connection has ended and failed its calls). */
    void stop() {
        stopped = true;
        LockSupport.unpark(sweeper);
    }

    /** Returns how many times the sweeper has looked at the calls (for tests). */
    long scans() {
        return scans;
    }

    private void sweep() {
        int emptyScans = 0;
        while (!stopped) {
            scanning = true;
            VarHandle.fullFence();
            scans++;
            long now = System.nanoTime();
            long earliest = 0;
            boolean waiting = false;
            List<ClientConnection.Call> expired = null;
            for (Map.Entry<Long, ClientConnection.Call> e : calls.entrySet()) {
                ClientConnection.Call call = e.getValue();
                if (call.timeout() == null) {
                    continue;
                }
                if (call.deadline() - now <= 0) {
                    if (calls.remove(e.getKey(), call)) {
                        if (expired == null) {
                            expired = new ArrayList<>();
                        }
                        expired.add(call);
                    }
                } else if (!waiting || call.deadline() - earliest < 0) {
                    earliest = call.deadline();
                    waiting = true;
                }
            }
            if (expired != null) {
                List<ClientConnection.Call> failing = expired;
                Thread.ofVirtual().name("weft-kvs-client-timeouts").start(
                        () -> failing.forEach(call -> call.reply().completeExceptionally(call.unanswered())));
            }
            if (!waiting && shortest == 0) {
                LockSupport.park(this);
                continue;
            }
            if (waiting) {
                emptyScans = 0;
                wakeAt = earliest;
            } else {
                emptyScans = Math.min(emptyScans + 1, 13);
                wakeAt = now + Math.max(shortest, Math.min(IDLE_MAX, IDLE_MIN << (emptyScans - 1)));
            }
            scanning = false;
            LockSupport.parkNanos(this, wakeAt - now);
        }
    }
}
