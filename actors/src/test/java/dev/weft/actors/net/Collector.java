package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Hands every message it receives to the test thread. */
final class Collector<T> extends Component {
    final Inbox<T> inbox;
    private final BlockingQueue<T> seen = new LinkedBlockingQueue<>();

    Collector(Class<T> type) {
        inbox = unboundedInbox("inbox", type);
    }

    @Override
    protected void run() throws InterruptedException {
        for (;;) {
            if (select(inbox, control) == control) {
                return;
            }
            seen.put(inbox.poll());
        }
    }

    T next(Duration wait) throws InterruptedException {
        T message = seen.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).as("a message within " + wait).isNotNull();
        return message;
    }

    int received() {
        return seen.size();
    }
}
