package dev.weft.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A unit that uses the {@link Dispatcher} the way an actor does: posts count as messages, the
 * IDLE/HELD flag makes sure it is queued at most once, and a turn takes at most {@code budget}
 * messages. It records what a test needs to check the dispatcher's guarantees.
 */
final class TestUnit implements Schedulable {
    private static final int IDLE = 0;
    private static final int HELD = 1;

    final String name;
    private final Dispatcher dispatcher;
    private final int budget;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final AtomicInteger inside = new AtomicInteger();
    /** Counted by post(); compared with handled. */
    final AtomicLong posted = new AtomicLong();
    /** Published after each message, before its handler runs, for readers outside the turns. */
    final AtomicLong handledSeen = new AtomicLong();
    /** Threads that ran a turn of this unit. */
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicLong turns = new AtomicLong();
    /** Plain: only turns touch it, so it is exact only if each turn happens-after the one before. */
    private long handled;
    private volatile Consumer<TestUnit> onMessage = u -> { };

    TestUnit(String name, Dispatcher dispatcher, int budget) {
        this.name = name;
        this.dispatcher = dispatcher;
        this.budget = budget;
    }

    TestUnit onMessage(Consumer<TestUnit> handler) {
        this.onMessage = handler;
        return this;
    }

    /** Any thread, a turn included: one more message; schedules a turn if the unit was idle. */
    void post() {
        posted.incrementAndGet();
        pending.incrementAndGet();
        if (state.get() == IDLE && state.compareAndSet(IDLE, HELD)) {
            dispatcher.submit(this);
        }
    }

    @Override
    public boolean runTurn() {
        if (inside.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        threads.add(Thread.currentThread());
        turns.incrementAndGet();
        int taken = 0;
        while (taken < budget && pending.get() > 0) {
            pending.decrementAndGet();
            handled++;
            taken++;
            handledSeen.set(handled);
            onMessage.accept(this);
        }
        inside.decrementAndGet();
        if (taken == budget) {
            return true;
        }
        state.set(IDLE);
        return pending.get() > 0 && state.compareAndSet(IDLE, HELD);
    }

    /** Messages handled; exact once the unit is quiet. */
    long handled() {
        return handledSeen.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
