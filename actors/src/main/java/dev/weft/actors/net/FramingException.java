package dev.weft.actors.net;

import java.io.IOException;

/**
 * Bytes that do not fit the framing: a frame over the maximum length, input that ended inside a
 * frame, or a frame an encoder cannot send intact. It fails the framing stage that found it; the
 * message names that stage and the limit or rule that was broken.
 */
public final class FramingException extends IOException {
    private static final long serialVersionUID = 1L;

    FramingException(String message) {
        super(message);
    }
}
