package dev.weft.runtime;

/**
 * Something the {@link Dispatcher} runs one turn at a time: a handler-style actor, or a test's unit.
 *
 * <p>The contract: whoever submits a unit makes sure it is queued at most once at a time (an actor
 * does so with its IDLE/HELD state). The dispatcher runs each submission exactly once, on one of its
 * workers, so turns of one unit never overlap and each happens-after the one before.
 */
interface Schedulable {
    /**
     * Runs one turn.
     *
     * @return {@code true} if the unit still has work and wants another turn (the dispatcher queues
     *     it again, behind what is already waiting); {@code false} if it has given up its turn, after
     *     which only a new submission runs it again
     */
    boolean runTurn();
}
