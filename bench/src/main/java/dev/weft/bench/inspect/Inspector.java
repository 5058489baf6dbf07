package dev.weft.bench.inspect;

import dev.weft.runtime.Weft;
import dev.weft.runtime.inspect.GraphEvent;
import dev.weft.runtime.inspect.GraphListener;
import dev.weft.runtime.inspect.InboxRates;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Does to a runtime what the HTTP inspector does, without HTTP: listens to graph events through a
 * bounded queue drained by a thread, and snapshots the graph with inbox rates every 100 ms.
 */
final class Inspector implements AutoCloseable {
    private static final long SNAPSHOT_MILLIS = 100;

    private final Weft weft;
    private final GraphListener listener;
    private final Thread drainer;
    private final Thread sampler;
    private volatile long snapshots;
    private volatile long events;

    private Inspector(Weft weft) {
        this.weft = weft;
        BlockingQueue<GraphEvent> queue = new ArrayBlockingQueue<>(1024);
        this.listener = queue::offer;
        this.drainer = Thread.ofPlatform().daemon().name("inspector-events").unstarted(() -> {
            try {
                for (;;) {
                    queue.take();
                    events++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        InboxRates rates = new InboxRates(500);
        this.sampler = Thread.ofPlatform().daemon().name("inspector-snapshots").unstarted(() -> {
            try {
                for (;;) {
                    rates.update(weft.snapshot());
                    snapshots++;
                    TimeUnit.MILLISECONDS.sleep(SNAPSHOT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    static Inspector attach(Weft weft) {
        Inspector inspector = new Inspector(weft);
        weft.addGraphListener(inspector.listener);
        inspector.drainer.start();
        inspector.sampler.start();
        return inspector;
    }

    @Override
    public void close() throws InterruptedException {
        weft.removeGraphListener(listener);
        sampler.interrupt();
        drainer.interrupt();
        sampler.join();
        drainer.join();
        if (snapshots == 0) {
            throw new IllegalStateException("the inspector took no snapshot: the measurement is not of it");
        }
    }
}
