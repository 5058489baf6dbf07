/**
 * A look inside a running runtime: {@link dev.weft.runtime.inspect.GraphSnapshot}s of its components,
 * boxes, links and services ({@code Weft.snapshot()}), a stream of {@link dev.weft.runtime.inspect.GraphEvent}s
 * ({@code Weft.addGraphListener}), and {@link dev.weft.runtime.inspect.InboxRates} for message rates.
 * Cheap enough to leave on: nothing here costs a send or a receive more than an owner-only counter.
 */
package dev.weft.runtime.inspect;
