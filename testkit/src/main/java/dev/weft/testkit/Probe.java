package dev.weft.testkit;

import dev.weft.runtime.Bridge;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An inbox a test links components to, and asserts on with timeouts.
 *
 * <pre>{@code
 * Probe<Integer> out = Probe.spawn(weft, "out", Integer.class);
 * weft.link(doubler.outbox, out.inbox);
 * doubler.inbox.send(21);
 * assertThat(out.expectMessage()).isEqualTo(42);
 * out.expectNoMessage(Duration.ofMillis(100));
 * }</pre>
 *
 * <p>Failure messages print arrays by content ({@code byte[2] "hi"}, {@code int[3] [1, 2, 3]}),
 * other messages by {@code toString}.
 *
 * <p>A probe is a {@link Bridge} whose wake-up hook releases a semaphore the test thread waits on,
 * so waiting costs no polling. Its inbox holds up to {@value #CAPACITY} unread messages before it
 * pushes back on senders. The {@code expect} methods are meant for one test thread at a time.
 *
 * @param <T> the type of message the probe takes
 */
public final class Probe<T> {
    /** How long the methods without a timeout wait. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final int CAPACITY = 65_536;

    private final Bridge<T> bridge;
    /** The sink to link outboxes to (or to send into): the probe's inbox, seen send-only. */
    public final Sink<T> inbox;
    private final Semaphore woken = new Semaphore(0);

    private Probe(String name, Class<T> type) {
        this.bridge = new Bridge<>(name, type, CAPACITY, woken::release);
        this.inbox = bridge.inbox;
    }

    /** Spawns a probe in {@code weft}; it ends when the runtime closes. */
    public static <T> Probe<T> spawn(Weft weft, String name, Class<T> type) {
        Probe<T> probe = new Probe<>(name, type);
        weft.spawn(probe.bridge);
        return probe;
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} for the next message and returns it. */
    public T expectMessage() {
        return expectMessage(DEFAULT_TIMEOUT);
    }

    /**
     * Waits up to {@code within} for the next message and returns it.
     *
     * @throws AssertionError if none arrives in time
     */
    public T expectMessage(Duration within) {
        T m = next(deadline(within));
        if (m == null) {
            throw new AssertionError("probe " + bridge.name() + " expected a message within " + within
                    + " but got none");
        }
        return m;
    }

    /**
     * Waits for the next message and checks that it is a {@code type}.
     *
     * @throws AssertionError if none arrives in time or it is of another type
     */
    public <M extends T> M expectMessage(Class<M> type) {
        T m = expectMessage();
        if (!type.isInstance(m)) {
            throw new AssertionError("probe " + bridge.name() + " expected a " + type.getTypeName() + " but got "
                    + Printed.of(m) + " (" + Printed.type(m) + ")");
        }
        return type.cast(m);
    }

    /**
     * Waits for the next message and checks that it matches {@code matcher}.
     *
     * @throws AssertionError if none arrives in time or it does not match
     */
    public T expectMessage(Predicate<? super T> matcher) {
        T m = expectMessage();
        if (!matcher.test(m)) {
            throw new AssertionError("probe " + bridge.name() + " got " + Printed.of(m) + ", which does not match");
        }
        return m;
    }

    /**
     * Checks that no message arrives for {@code within}.
     *
     * @throws AssertionError if one does; it names the message
     */
    public void expectNoMessage(Duration within) {
        T m = next(deadline(within));
        if (m != null) {
            throw new AssertionError("probe " + bridge.name() + " expected no message within " + within
                    + " but got " + Printed.of(m));
        }
    }

    /** Waits up to {@link #DEFAULT_TIMEOUT} in all for the next {@code n} messages, in order. */
    public List<T> receiveN(int n) {
        return receiveN(n, DEFAULT_TIMEOUT);
    }

    /**
     * Waits up to {@code within} in all for the next {@code n} messages and returns them in order.
     *
     * @throws AssertionError if fewer arrive in time; it says how many did
     */
    public List<T> receiveN(int n, Duration within) {
        long deadline = deadline(within);
        List<T> got = new ArrayList<>(n);
        while (got.size() < n) {
            T m = next(deadline);
            if (m == null) {
                throw new AssertionError("probe " + bridge.name() + " expected " + n + " messages within " + within
                        + " but got " + got.size() + ": " + Printed.all(got));
            }
            got.add(m);
        }
        return got;
    }

    /**
     * Waits up to {@link #DEFAULT_TIMEOUT} for a message that matches {@code wanted}, dropping the
     * ones before it, and returns it.
     */
    public T fishForMessage(Predicate<? super T> wanted) {
        return fishForMessage(DEFAULT_TIMEOUT, wanted);
    }

    /**
     * Waits up to {@code within} in all for a message that matches {@code wanted}, dropping the ones
     * before it, and returns it. Messages after it stay in the probe.
     *
     * @throws AssertionError if none matches in time; it lists the messages dropped
     */
    public T fishForMessage(Duration within, Predicate<? super T> wanted) {
        Objects.requireNonNull(wanted, "wanted");
        return fish(within, m -> wanted.test(m) ? FishingOutcome.COMPLETE : FishingOutcome.SKIP,
                "a message that matches").getLast();
    }

    /** {@link #fishForMessages(Duration, Function)} with {@link #DEFAULT_TIMEOUT}. */
    public List<T> fishForMessages(Function<? super T, FishingOutcome> fisher) {
        return fishForMessages(DEFAULT_TIMEOUT, fisher);
    }

    /**
     * Waits up to {@code within} in all, handing each message to {@code fisher} and doing what it
     * says: {@link FishingOutcome#SKIP SKIP} drops the message, {@link FishingOutcome#KEEP KEEP} keeps
     * it and goes on, {@link FishingOutcome#COMPLETE COMPLETE} keeps it and returns all those kept, in
     * order, and {@link FishingOutcome#FAIL FAIL} fails the test. Messages after the last stay in the
     * probe.
     *
     * <pre>{@code
     * List<Event> mine = probe.fishForMessages(Duration.ofSeconds(2), e -> switch (e) {
     *     case Heartbeat h -> FishingOutcome.SKIP;
     *     case Update u when u.last() -> FishingOutcome.COMPLETE;
     *     case Update u -> FishingOutcome.KEEP;
     *     case Failure f -> FishingOutcome.FAIL;
     * });
     * }</pre>
     *
     * @throws AssertionError if {@code fisher} says {@code FAIL}, or does not say {@code COMPLETE} in
     *     time; it lists the messages kept and dropped
     */
    public List<T> fishForMessages(Duration within, Function<? super T, FishingOutcome> fisher) {
        Objects.requireNonNull(fisher, "fisher");
        return fish(within, fisher, "messages until the fisher says COMPLETE");
    }

    private List<T> fish(Duration within, Function<? super T, FishingOutcome> fisher, String what) {
        long deadline = deadline(within);
        List<T> kept = new ArrayList<>();
        List<T> skipped = new ArrayList<>();
        for (;;) {
            T m = next(deadline);
            if (m == null) {
                throw new AssertionError("probe " + bridge.name() + " fished for " + what + " within " + within
                        + " but none came" + caught(kept, skipped));
            }
            FishingOutcome outcome = fisher.apply(m);
            if (outcome == null) {
                throw new NullPointerException("the fisher of probe " + bridge.name() + " returned null for "
                        + Printed.of(m) + "; return SKIP, KEEP, COMPLETE or FAIL");
            }
            switch (outcome) {
                case SKIP -> skipped.add(m);
                case KEEP -> kept.add(m);
                case COMPLETE -> {
                    kept.add(m);
                    return kept;
                }
                case FAIL -> throw new AssertionError("probe " + bridge.name() + " fished for " + what
                        + " but the fisher failed on " + Printed.of(m) + caught(kept, skipped));
            }
        }
    }

    private static String caught(List<?> kept, List<?> skipped) {
        return (kept.isEmpty() ? "" : "; kept " + kept.size() + ": " + Printed.all(kept))
                + "; skipped " + skipped.size() + (skipped.isEmpty() ? "" : ": " + Printed.all(skipped));
    }

    /** Returns the next message, or null once the deadline has passed. */
    private T next(long deadline) {
        for (;;) {
            T m = bridge.poll();
            if (m != null) {
                return m;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                woken.tryAcquire(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting on probe " + bridge.name(), e);
            }
        }
    }

    private static long deadline(Duration within) {
        Objects.requireNonNull(within, "within");
        return System.nanoTime() + within.toNanos();
    }

    @Override
    public String toString() {
        return "Probe[" + bridge.name() + "]";
    }
}
