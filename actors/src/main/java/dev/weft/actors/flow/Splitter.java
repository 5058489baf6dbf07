package dev.weft.actors.flow;

import dev.weft.runtime.Outbox;
import dev.weft.runtime.Signal;
import dev.weft.runtime.UnlinkedPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Fan-out: sends every message of its inbox to each of its outboxes {@code outbox0},
 * {@code outbox1}, ... in turn. The slowest branch sets the pace (each send waits for space), so
 * no branch misses a message. Signals go to every branch's {@code signal0}, {@code signal1}, ...
 * (which discard while unlinked), so each branch learns that the input has finished.
 *
 * @param <T> the type of message split
 */
public final class Splitter<T> extends InputLoop<T> {
    private final List<Outbox<T>> branches = new ArrayList<>();
    private final List<Outbox<Signal>> branchSignals = new ArrayList<>();

    /** Creates a splitter with {@code ways} branches. */
    public Splitter(Class<T> type, int ways) {
        super(type);
        if (ways < 1) {
            throw new IllegalArgumentException("a splitter needs at least one branch: " + ways);
        }
        for (int i = 0; i < ways; i++) {
            branches.add(outbox("outbox" + i, type));
            branchSignals.add(outbox("signal" + i, Signal.class, UnlinkedPolicy.DISCARD));
        }
    }

    /** Returns branch {@code i}'s outbox. */
    public Outbox<T> outbox(int i) {
        return branches.get(i);
    }

    /** Returns branch {@code i}'s signal outbox. */
    public Outbox<Signal> signal(int i) {
        return branchSignals.get(i);
    }

    @Override
    void accept(T message) throws InterruptedException {
        for (Outbox<T> branch : branches) {
            branch.send(message);
        }
    }

    @Override
    void passOn(Signal s) throws InterruptedException {
        for (Outbox<Signal> out : branchSignals) {
            sendSignal(out, s);
        }
    }
}
