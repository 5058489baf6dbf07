package dev.weft.kvs;

/**
 * The server's client is authenticated as a user that may not do this: use a namespace another
 * principal owns, or create or remove namespaces (only the store's owner may). Nothing was done.
 */
public final class PermissionDeniedException extends KvsException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(message);
    }
}
