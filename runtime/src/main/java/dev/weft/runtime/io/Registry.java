package dev.weft.runtime.io;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the selector service's pollers share: the registered handles by channel, the owners'
 * termination watches, and the {@code weft.selector.*} meters.
 */
final class Registry {
    /** Handles registered and not yet ended, by channel: a channel is registered once. */
    final ConcurrentHashMap<SelectableChannel, ChannelHandle> live = new ConcurrentHashMap<>();
    final Owners owners = new Owners();
    final LongAdder loops = new LongAdder();
    final LongAdder readiness = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final LongAdder wakeups = new LongAdder();
    final LongAdder errors = new LongAdder();

    Registry(MeterRegistry meters) {
        counter(meters, "weft.selector.loops", "Rounds of the selector loops (one select or epoll_wait each)", loops);
        counter(meters, "weft.selector.readiness", "Readiness messages sent to channel owners", readiness);
        counter(meters, "weft.selector.coalesced", "Readiness events merged into a message still in flight",
                coalesced);
        counter(meters, "weft.selector.wakeups", "Wake-up system calls made to a blocked selector loop", wakeups);
        counter(meters, "weft.selector.errors", "Errors the selector loops survived (select failures, bad keys)",
                errors);
        Gauge.builder("weft.selector.wakeups.per.readiness", this, Registry::wakeupsPerReadiness)
                .description("Selector wake-up system calls per readiness message").register(meters);
        Gauge.builder("weft.selector.channels", this, Registry::openChannels)
                .description("Open channels registered with the selector service").register(meters);
    }

    private static void counter(MeterRegistry meters, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(meters);
    }

    double wakeupsPerReadiness() {
        long r = readiness.sum();
        return r == 0 ? 0 : (double) wakeups.sum() / r;
    }

    /** Counts the registered handles whose channel is open (one closed directly leaves at the next sweep). */
    int openChannels() {
        int open = 0;
        for (ChannelHandle h : live.values()) {
            if (h.channel().isOpen()) {
                open++;
            }
        }
        return open;
    }
}
