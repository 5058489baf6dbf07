package dev.weft.actors;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ProducerFinished;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test sink: keeps every message and every signal it receives; ends on ProducerFinished or Shutdown. */
public final class Collector<T> extends Component {
    public final Inbox<T> inbox;
    public final BlockingQueue<T> seen = new LinkedBlockingQueue<>();
    public final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    public final CompletableFuture<Void> finished = new CompletableFuture<>();

    public Collector(Class<T> type) {
        this.inbox = inbox("inbox", type);
    }

    public Collector(Class<T> type, int capacity) {
        this.inbox = inbox("inbox", type, capacity);
    }

    /** Takes the next {@code n} messages, failing if they do not come within ten seconds. */
    public List<T> take(int n) throws InterruptedException {
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            T m = seen.poll(10, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " messages came: " + out);
            }
            out.add(m);
        }
        return out;
    }

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            Inbox<?> ready = select(inbox, control);
            if (ready == inbox) {
                seen.add(inbox.poll());
                continue;
            }
            Signal s = control.poll();
            signals.add(s);
            if (s instanceof ProducerFinished || s instanceof Shutdown) {
                for (T m = inbox.poll(); m != null; m = inbox.poll()) {
                    seen.add(m);
                }
                finished.complete(null);
                return;
            }
        }
    }
}
