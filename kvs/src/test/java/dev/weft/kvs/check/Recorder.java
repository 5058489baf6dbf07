package dev.weft.kvs.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records a history from any number of client threads: {@link #invoke} before a call is sent, then
 * exactly one of the {@link Pending} methods when it ends.
 *
 * <pre>{@code
 * Recorder.Pending p = recorder.invoke(client, Call.Write.put("k", "v1"));
 * try {
 *     p.committed(session.commit(write));
 * } catch (PreconditionFailed e) {
 *     p.refused(e.key(), e.actual(), e.version());
 * } catch (Exception e) {
 *     p.unknown(e.toString());       // the reply was lost: it may or may not have applied
 * }
 * }</pre>
 */
public final class Recorder {
    /*
     * Times are taken outside any lock: the invoke time just before the call is made, the
     * completion time just after it returned, so each op's interval contains the real one. An op
     * moves from the open map to the finished list under the lock (which history() copies both
     * under), and the lock's condition wakes awaitCompleted (the fault loop).
     */
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, Pending> open = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private final List<Op> finished = new ArrayList<>();

    /** Records that {@code client} invokes {@code call} now; complete the returned handle once. */
    public Pending invoke(int client, Call call) {
        Pending p = new Pending(ids.incrementAndGet(), client, call, System.nanoTime());
        open.put(p.id, p);
        return p;
    }

    /** Returns how many operations have ended so far. */
    public int completed() {
        lock.lock();
        try {
            return finished.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until at least {@code n} operations have ended; returns false if {@code timeout} passed first. */
    public boolean awaitCompleted(int n, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (finished.size() < n) {
                if (left <= 0) {
                    return false;
                }
                left = progressed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the history so far; operations still running appear with an unknown outcome. */
    public History history() {
        List<Op> all;
        List<Pending> running;
        lock.lock();
        try {
            all = new ArrayList<>(finished);
            running = new ArrayList<>(open.values());
        } finally {
            lock.unlock();
        }
        for (Pending p : running) {
            all.add(new Op(p.id, p.client, p.call, p.invoked, Long.MAX_VALUE,
                    new Outcome.Unknown("still running when the history was taken")));
        }
        return new History(all);
    }

    /** An invoked call waiting for its outcome. */
    public final class Pending {
        private final int id;
        private final int client;
        private final Call call;
        private final long invoked;
        private final AtomicBoolean done = new AtomicBoolean();

        private Pending(int id, int client, Call call, long invoked) {
            this.id = id;
            this.client = client;
            this.call = call;
            this.invoked = invoked;
        }

        /** The read returned {@code result}. */
        public void read(Outcome.Read result) {
            if (!(call instanceof Call.Read)) {
                throw new IllegalStateException("op " + id + " is a write, not a read: " + call);
            }
            finish(result, System.nanoTime());
        }

        /** The write committed as {@code version} ({@link Outcome#NONE} if the store did not say). */
        public void committed(long version) {
            if (!(call instanceof Call.Write)) {
                throw new IllegalStateException("op " + id + " is a read, not a write: " + call);
            }
            finish(new Outcome.Committed(version), System.nanoTime());
        }

        /** A precondition failed; the store found {@code key} at {@code actual}, looking at root {@code version}. */
        public void refused(String key, long actual, long version) {
            if (!(call instanceof Call.Write)) {
                throw new IllegalStateException("op " + id + " is a read, not a write: " + call);
            }
            finish(new Outcome.Refused(key, actual, version), System.nanoTime());
        }

        /** The call definitely did not apply. */
        public void failed(String why) {
            finish(new Outcome.Failed(why), System.nanoTime());
        }

        /** The call may or may not have applied. */
        public void unknown(String why) {
            finish(new Outcome.Unknown(why), Long.MAX_VALUE);
        }

        private void finish(Outcome outcome, long completed) {
            if (!done.compareAndSet(false, true)) {
                throw new IllegalStateException("op " + id + " (" + call + ") already ended");
            }
            Op op = new Op(id, client, call, invoked, completed, outcome);
            lock.lock();
            try {
                finished.add(op);
                open.remove(id);
                progressed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
