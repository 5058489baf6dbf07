package dev.weft.kvs;

/** The server refused the token; the connection is closed. */
public final class AuthenticationException extends KvsException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
