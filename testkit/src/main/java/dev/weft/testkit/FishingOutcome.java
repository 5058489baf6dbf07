package dev.weft.testkit;

/**
 * What {@link Probe#fishForMessages} does with each message it takes from the probe, as the test's
 * fisher decides.
 */
public enum FishingOutcome {
    /** Not what the test fishes for: drop it and wait for the next message. */
    SKIP,
    /** Wanted, and more are to come: keep it and wait for the next message. */
    KEEP,
    /** Wanted, and the last one: keep it and stop fishing. */
    COMPLETE,
    /** Must not arrive: fail the test now, naming it and what came before it. */
    FAIL
}
