package dev.weft.cluster;

/**
 * Thrown to a sender whose link to another runtime is broken: the stream ended, the peer refused the
 * handshake, or the remote runtime is gone. The message was not sent. Earlier messages may be lost
 * (at-most-once); look the service up again to send on a new link.
 */
public final class LinkBrokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LinkBrokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
