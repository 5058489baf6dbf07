/**
 * Composition: components built out of components ({@link dev.weft.actors.flow.Pipeline},
 * {@link dev.weft.actors.flow.Graphline}, {@link dev.weft.actors.flow.Carousel}), named
 * publish/subscribe ({@link dev.weft.actors.flow.Backplane}) and small stages people expect
 * (map, filter, fan-out, ticker, console reader and writer).
 */
package dev.weft.actors.flow;
