package dev.weft.cluster;

/** Thrown when etcd, which holds the cluster's registry, fails or does not answer in time, or a service start fails. */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
