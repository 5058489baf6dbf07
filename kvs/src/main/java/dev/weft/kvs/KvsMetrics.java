package dev.weft.kvs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The store's meters, under {@code weft.kvs.}. */
final class KvsMetrics {
    private final Counter commits;
    private final Counter syncs;
    private final DistributionSummary batch;
    private final AtomicInteger watchers = new AtomicInteger();

    KvsMetrics(MeterRegistry registry) {
        commits = Counter.builder("weft.kvs.commits").description("transactions accepted for commit").register(registry);
        syncs = Counter.builder("weft.kvs.log.syncs").description("log writes (forced unless fsync is NONE)").register(registry);
        batch = DistributionSummary.builder("weft.kvs.log.batch").description("records per log write").register(registry);
        Gauge.builder("weft.kvs.watchers", watchers, AtomicInteger::get).description("active watches").register(registry);
    }

    void commitStarted() {
        commits.increment();
    }

    void synced(int records) {
        syncs.increment();
        batch.record(records);
    }

    void watchers(int delta) {
        watchers.addAndGet(delta);
    }
}
