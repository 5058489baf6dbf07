package dev.weft.kvs;

import dev.weft.runtime.Sink;
import dev.weft.runtime.InboxClosedException;
import java.util.Arrays;
import java.util.function.Consumer;

/** A watch whose events pass {@link WatchOptions}' filters before they reach the caller. */
final class FilteredWatch implements Watch {
    /*
     * Every backend calls a watch's listener on one thread at a time, in order, so the filter state
     * needs no lock. The watch this one wraps is known only once the backend's watch() returns, and
     * events (even the count's last) may come before that: `ended` and `inner` are volatile, the
     * delivering side sets `ended` then reads `inner`, the starting side sets `inner` then reads
     * `ended` (or `cancelled`), so at least one of them cancels the inner watch (cancel is
     * idempotent).
     */
    private final WatchOptions options;
    private final Consumer<? super WatchEvent> sink;
    private volatile Watch inner;
    private volatile boolean ended;
    private volatile boolean cancelled;
    private boolean valueSeen;
    private byte[] lastValue;
    private int delivered;

    private FilteredWatch(WatchOptions options, Consumer<? super WatchEvent> sink) {
        this.options = options;
        this.sink = sink;
    }

    static Watch start(Namespace ns, String key, WatchMode mode, WatchOptions options,
            Consumer<? super WatchEvent> listener) throws InterruptedException {
        FilteredWatch w = new FilteredWatch(options, listener);
        return w.attach(ns.watch(key, mode, w::accept));
    }

    /** Delivers to {@code inbox}; an inbox whose owner has ended cancels the watch. */
    static Watch start(Namespace ns, String key, WatchMode mode, WatchOptions options, Sink<? super WatchEvent> inbox)
            throws InterruptedException {
        FilteredWatch[] self = new FilteredWatch[1];
        self[0] = new FilteredWatch(options, event -> {
            try {
                inbox.send(event);
            } catch (InboxClosedException gone) {
                self[0].cancel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return self[0].attach(ns.watch(key, mode, self[0]::accept));
    }

    private Watch attach(Watch w) {
        inner = w;
        if (ended || cancelled) {
            w.cancel();
        }
        return this;
    }

    private void accept(WatchEvent event) {
        if (ended) {
            return;                             // after the count's end: the inner watch's rest
        }
        if (event instanceof WatchEvent.Ended) {
            ended = true;
            sink.accept(event);
            return;
        }
        if (event instanceof WatchEvent.Value v) {
            if (options.waitCreate() && !valueSeen && v.value() == null) {
                return;
            }
            if (options.uniq() && valueSeen && Arrays.equals(lastValue, v.value())) {
                return;
            }
            valueSeen = true;
            lastValue = v.value();
        }
        sink.accept(event);
        if (options.count() > 0 && ++delivered == options.count()) {
            ended = true;
            sink.accept(new WatchEvent.Ended(event.watchId(), event.key(), event.version(), WatchEvent.Reason.CANCELLED));
            Watch w = inner;
            if (w != null) {
                w.cancel();
            }
        }
    }

    @Override
    public long id() {
        return inner.id();
    }

    @Override
    public String key() {
        return inner.key();
    }

    @Override
    public WatchMode mode() {
        return inner.mode();
    }

    @Override
    public long startVersion() {
        return inner.startVersion();
    }

    @Override
    public boolean isActive() {
        return !ended && inner.isActive();
    }

    @Override
    public void cancel() {
        cancelled = true;
        Watch w = inner;
        if (w != null) {
            w.cancel();
        }
    }

    @Override
    public String toString() {
        return inner + " " + options;
    }
}
