package dev.weft.actors.flow;

import dev.weft.runtime.Component;
import dev.weft.runtime.Extension;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Weft;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Named publish/subscribe: every message sent to a backplane's {@link #inbox} goes to every
 * subscriber, in the order the backplane received it (so per publisher in the order published).
 * Backplanes are services: {@link #find} starts one the first time its name is asked for, and
 * {@link PublishTo} and {@link SubscribeTo} find it by name, so nothing holds a hard-wired reference.
 *
 * <pre>{@code
 * SubscribeTo<String> news = weft.spawn(new SubscribeTo<>("news", String.class));
 * weft.link(news.outbox, reader.inbox);
 * PublishTo<String> desk = weft.spawn(new PublishTo<>("news", String.class));
 * desk.inbox.send("hello");
 * }</pre>
 *
 * <p>Each subscriber has a bounded buffer and an {@link Overflow} policy for when it is full:
 * back-pressure by default (a slow subscriber slows the backplane, which slows the publishers),
 * or dropping the oldest or the newest message, or disconnecting the subscriber. Memory stays
 * bounded under every policy. Drops are counted per subscriber ({@link SubscribeTo#dropped()}) and
 * in the counter {@code weft.backplane.dropped} (tags {@code backplane}, {@code policy}).
 *
 * <p>A subscriber receives the messages the backplane handles after it subscribed. The backplane
 * runs until it is shut down; then every subscriber gets what it has buffered and ends.
 *
 * @param <T> the type of message published
 */
public final class Backplane<T> extends Component {
    /** The prefix of backplanes' service names: a backplane named {@code news} is the service {@code weft.backplane.news}. */
    public static final String SERVICE_PREFIX = "weft.backplane.";
    /** The backplanes most recently started in a runtime, by name, each put before it is registered. */
    private static final Extension<Map<String, Backplane<?>>> RUNNING = w -> new ConcurrentHashMap<>();

    /** Publishers send here. */
    public final Inbox<T> inbox;
    private final String backplaneName;
    private final List<Subscription<T>> subscribers = new CopyOnWriteArrayList<>();
    private final Map<Overflow, Counter> drops = new EnumMap<>(Overflow.class);
    /**
     * Set before the backplane closes its subscriptions. A subscription added after the close took
     * its snapshot of the list sees it set and closes itself: the list's add and this flag are both
     * volatile, so either the close sees the subscription or the subscriber sees the flag.
     */
    private volatile boolean ending;

    private Backplane(String name, Class<T> type) {
        super(SERVICE_PREFIX + name);
        this.backplaneName = name;
        this.inbox = inbox("inbox", type);
    }

    /** Returns the service key of the backplane {@code name} carrying {@code type}. */
    public static <T> ServiceKey<T> key(String name, Class<T> type) {
        return ServiceKey.of(SERVICE_PREFIX + name, type);
    }

    /**
     * Returns the backplane {@code name} of {@code weft}, starting it if it is not running. Racing
     * callers all get the same one.
     *
     * @throws IllegalArgumentException if a backplane of that name carries another type
     */
    @SuppressWarnings("unchecked")   // RUNNING holds, per name, the backplane started with key(name, type)
    public static <T> Backplane<T> find(Weft weft, String name, Class<T> type) throws InterruptedException {
        Map<String, Backplane<?>> running = weft.extension(RUNNING);
        weft.services().lookupOrStart(key(name, type), w -> {
            Backplane<T> started = w.spawn(new Backplane<>(name, type));
            running.put(name, started);
            return started.inbox;
        });
        return (Backplane<T>) running.get(name);
    }

    /** Returns the backplane's name (without the service prefix). */
    public String backplaneName() {
        return backplaneName;
    }

    /** Returns how many subscribers are attached now. */
    public int subscriberCount() {
        return subscribers.size();
    }

    /** Attaches a subscriber's buffer; called by {@link SubscribeTo} from its own thread. */
    Subscription<T> subscribe(int capacity, Overflow policy, Runnable wake) {
        Subscription<T> s = new Subscription<>(capacity, policy, wake);
        subscribers.add(s);
        if (ending) {
            s.close();
        }
        return s;
    }

    @Override
    protected void run() throws InterruptedException {
        MeterRegistry registry = runtime().meterRegistry();
        for (Overflow policy : Overflow.values()) {
            drops.put(policy, Counter.builder("weft.backplane.dropped")
                    .description("Messages a backplane did not deliver to a subscriber whose buffer was full")
                    .tag("backplane", backplaneName)
                    .tag("policy", policy.name())
                    .register(registry));
        }
        try {
            for (;;) {
                Inbox<?> ready = select(inbox, control);
                if (ready == inbox) {
                    publish(inbox.poll());
                } else if (control.poll() instanceof Shutdown) {
                    return;
                }
            }
        } finally {
            ending = true;
            subscribers.forEach(Subscription::close);
        }
    }

    private void publish(T message) throws InterruptedException {
        for (Subscription<T> s : subscribers) {
            switch (s.offer(message)) {
                case Subscription.DROPPED -> drops.get(s.policy()).increment();
                case Subscription.DISCONNECTED -> {
                    drops.get(s.policy()).increment();
                    subscribers.remove(s);
                }
                case Subscription.GONE -> subscribers.remove(s);
                default -> {
                }
            }
        }
    }
}
