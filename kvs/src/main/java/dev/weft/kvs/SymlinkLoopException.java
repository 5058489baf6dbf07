package dev.weft.kvs;

/**
 * A read followed more than {@link View#MAX_LINK_HOPS} symlinks: a loop, or a chain too long to
 * follow. The message names the links it followed.
 */
public final class SymlinkLoopException extends KvsException {
    private static final long serialVersionUID = 1L;

    public SymlinkLoopException(String message) {
        super(message);
    }
}
