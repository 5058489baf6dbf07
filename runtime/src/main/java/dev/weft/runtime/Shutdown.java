package dev.weft.runtime;

/** Asks a component to finish its work and return from its body (cooperative shutdown). */
public record Shutdown() implements Signal {
}
