/**
 * Supervision, after Erlang/OTP: a {@link dev.weft.actors.supervise.Supervisor} starts children from
 * {@link dev.weft.actors.supervise.ChildSpec}s, restarts them by a
 * {@link dev.weft.actors.supervise.Strategy} within a restart intensity, and re-wires every new
 * instance so that senders reach it through the same links, entries and service keys.
 */
package dev.weft.actors.supervise;
