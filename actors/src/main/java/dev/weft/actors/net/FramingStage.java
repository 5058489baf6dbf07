package dev.weft.actors.net;

import dev.weft.actors.flow.Stage;
import dev.weft.runtime.Component;

/**
 * The part every framing decoder and encoder shares: a {@link FramingException} fails the stage and,
 * when the stage serves a connection, shuts that connection down too, so that a peer that breaks the
 * framing loses its connection at once (not at its next send) and nothing else does.
 */
abstract class FramingStage<I, O> extends Stage<I, O> {
    private final Component connection;

    /** {@code connection} is the adapter to shut down on a framing error, or null. */
    FramingStage(String name, Class<I> in, Class<O> out, Component connection) {
        super(name, in, out);
        this.connection = connection;
    }

    /** Frames or unframes one message. */
    abstract void frame(I message) throws Exception;

    /** Sends or refuses what is held when the input ends; nothing by default. */
    void end() throws Exception {
    }

    @Override
    protected final void onMessage(I message) throws Exception {
        try {
            frame(message);
        } catch (FramingException e) {
            throw closing(e);
        }
    }

    @Override
    protected final void onEndOfInput() throws Exception {
        try {
            end();
        } catch (FramingException e) {
            throw closing(e);
        }
    }

    private FramingException closing(FramingException e) {
        if (connection != null) {
            connection.shutdown();
        }
        return e;
    }
}
