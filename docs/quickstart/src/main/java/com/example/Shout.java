package com.example;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;

/** Upper-cases each line it receives; when its producer has finished, so does it. */
public final class Shout extends Component {
    public final Inbox<String> in = inbox(String.class);
    public final Outbox<String> out = outbox(String.class);

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            Inbox<?> ready = select(in, control);
            for (String line; (line = in.poll()) != null; ) {
                out.send(line.toUpperCase());
            }
            if (ready == control) {
                signal.send(new ProducerFinished(this));
                return;
            }
        }
    }
}
