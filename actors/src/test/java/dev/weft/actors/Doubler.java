package dev.weft.actors;

import dev.weft.actors.flow.Stage;

/** Test stage of the user's own kind: doubles what it takes. */
public final class Doubler extends Stage<Integer, Integer> {
    public Doubler() {
        super(Integer.class, Integer.class);
    }

    @Override
    protected void onMessage(Integer n) throws InterruptedException {
        outbox.send(n * 2);
    }
}
