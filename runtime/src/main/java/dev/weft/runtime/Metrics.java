package dev.weft.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The runtime's Micrometer meters. Hot-path counts go to {@link LongAdder}s that the registry reads
 * through function counters, so a send or receive never touches Micrometer itself.
 */
final class Metrics {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder dead = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final LongAdder backPressureWaits = new LongAdder();
    final LongAdder spawned = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder lateReplies = new LongAdder();
    final LongAdder ticksSkipped = new LongAdder();

    Metrics(MeterRegistry registry, Weft weft) {
        counter(registry, "weft.messages.sent", "Messages accepted into an inbox", sent);
        counter(registry, "weft.messages.received", "Messages taken from an inbox by its owner", received);
        counter(registry, "weft.messages.dead", "Messages left in or sent to the inbox of an ended component", dead);
        counter(registry, "weft.messages.discarded", "Messages dropped by an outbox under UnlinkedPolicy.DISCARD",
                discarded);
        counter(registry, "weft.backpressure.waits", "Times a sender parked on a full inbox", backPressureWaits);
        counter(registry, "weft.components.spawned", "Components spawned", spawned);
        counter(registry, "weft.components.failed", "Components whose body threw", failed);
        counter(registry, "weft.ask.late.replies", "Replies that came after the asker gave up", lateReplies);
        counter(registry, "weft.timer.ticks.skipped", "Periodic timer ticks dropped because the inbox was full",
                ticksSkipped);
        gauge(registry, "weft.components.live", "Components spawned and not yet ended", weft,
                w -> w.liveComponents());
        gauge(registry, "weft.inbox.depth", "Messages waiting in the declared inboxes (control excluded) of live components", weft,
                w -> w.totalInboxDepth());
    }

    private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String description, Weft weft,
            ToDoubleFunction<Weft> value) {
        Gauge.builder(name, weft, value).description(description).register(registry);
    }
}
