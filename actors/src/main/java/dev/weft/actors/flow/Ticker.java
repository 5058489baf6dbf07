package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import java.time.Duration;

/**
 * Sends 1, 2, 3, ... on its {@link #outbox}, one every period, measured from its start so that a
 * slow receiver does not make it drift. After the given number of ticks it sends
 * {@link ProducerFinished} on {@link #signal} and ends; a {@link Shutdown} ends it at once. While
 * the receiver's inbox is full the ticker waits (back-pressure), and the ticks it missed come late,
 * not never.
 */
public final class Ticker extends Component {
    /** The tick numbers, from 1. */
    public final Outbox<Long> outbox = outbox("outbox", Long.class);
    private final long periodNanos;
    private final long ticks;

    /** Ticks every {@code period}, until shut down. */
    public Ticker(Duration period) {
        this(period, Long.MAX_VALUE);
    }

    /** Ticks every {@code period}, {@code ticks} times. */
    public Ticker(Duration period, long ticks) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("the period must be positive: " + period);
        }
        if (ticks < 1) {
            throw new IllegalArgumentException("ticks must be positive: " + ticks);
        }
        this.periodNanos = period.toNanos();
        this.ticks = ticks;
    }

    @Override
    protected void run() throws InterruptedException {
        long next = System.nanoTime();
        for (long n = 1; n <= ticks; n++) {
            next += periodNanos;
            for (long left = next - System.nanoTime(); left > 0; left = next - System.nanoTime()) {
                Signal s = control.receive(Duration.ofNanos(left));
                if (s instanceof Shutdown) {
                    return;
                }
            }
            outbox.send(n);
        }
        InputLoop.sendSignal(signal, new ProducerFinished(this));
    }
}
