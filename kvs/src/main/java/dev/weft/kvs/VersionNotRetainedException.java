package dev.weft.kvs;

/**
 * A read asked for a version the namespace no longer keeps (or has not reached): older than the
 * retained versions of an in-process store or a Weft server, or compacted away (or in the future)
 * on etcd.
 */
public final class VersionNotRetainedException extends KvsException {
    private static final long serialVersionUID = 1L;
    private final String namespace;
    private final long version;
    private final long latest;

    public VersionNotRetainedException(String namespace, long version, long latest) {
        super("namespace '" + namespace + "' does not retain version " + version + " (latest is " + latest + ")");
        this.namespace = namespace;
        this.version = version;
        this.latest = latest;
    }

    /** Returns the namespace that was read. */
    public String namespace() {
        return namespace;
    }

    /** Returns the version asked for. */
    public long version() {
        return version;
    }

    /** Returns the latest version when the read was refused. */
    public long latest() {
        return latest;
    }
}
