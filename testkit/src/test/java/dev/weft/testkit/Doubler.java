package dev.weft.testkit;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;

/** Doubles what it receives; throws on a negative number; on Shutdown says it has finished and ends. */
final class Doubler extends Component {
    final Inbox<Integer> inbox = inbox(Integer.class);
    final Outbox<Integer> outbox = outbox(Integer.class);

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            Inbox<?> ready = select(inbox, control);
            if (ready == control) {
                if (control.poll() instanceof Shutdown) {
                    signal.send(new ProducerFinished(this));
                    return;
                }
            } else {
                int n = inbox.poll();
                if (n < 0) {
                    throw new IllegalArgumentException("negative: " + n);
                }
                outbox.send(n * 2);
            }
        }
    }
}
