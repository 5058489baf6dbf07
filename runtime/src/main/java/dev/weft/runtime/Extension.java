package dev.weft.runtime;

/**
 * The id of a per-runtime service that is an object, not an inbox: a selector, a KVS client, a
 * registry of backplanes. Keep each id in a {@code static final} field and ask the runtime for its
 * instance with {@link Weft#extension(Extension)}: the first call creates it, every later call (from
 * any thread) gets the same one, typed, without a cast.
 *
 * <pre>{@code
 * static final Extension<Clock> CLOCK = weft -> new Clock(weft.timers());
 * Clock clock = weft.extension(CLOCK);
 * }</pre>
 *
 * <p>Ids are told apart by identity, so two ids that build the same thing are two extensions.
 *
 * @param <E> the type of the extension
 */
@FunctionalInterface
public interface Extension<E> {

    /**
     * Creates this extension for {@code weft}; called at most once per runtime unless it fails.
     * It may spawn components and use other extensions, but not ask for itself.
     *
     * @throws Exception if it cannot be created; the caller gets a {@link WeftException} and the
     *     next call tries again
     */
    E create(Weft weft) throws Exception;
}
