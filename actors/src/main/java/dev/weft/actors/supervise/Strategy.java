package dev.weft.actors.supervise;

/** Which children a {@link Supervisor} restarts when one of them must be restarted (Erlang's strategies). */
public enum Strategy {
    /** Restart only the child that ended. */
    ONE_FOR_ONE,
    /** Stop all the other children, then restart them all, in spec order. */
    ONE_FOR_ALL,
    /** Stop the children started after the one that ended, then restart it and them, in spec order. */
    REST_FOR_ONE
}
