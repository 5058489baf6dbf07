package dev.weft.kvs;

/** A read asked for a version the namespace no longer keeps (or has not reached). */
public final class VersionNotRetainedException extends KvsException {
    private static final long serialVersionUID = 1L;

    VersionNotRetainedException(String namespace, long version, long latest) {
        super("namespace '" + namespace + "' does not retain version " + version + " (latest is " + latest + ")");
    }
}
