package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class FrameWriterTest {
    /** A stream that records what it is given and how many writes gave it, slowly enough for frames to queue. */
    private static final class Recording extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();
        private final AtomicInteger inside = new AtomicInteger();
        volatile boolean overlapped;

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException("frames are written whole");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (inside.incrementAndGet() > 1) {
                overlapped = true;
            }
            writes.incrementAndGet();
            for (long until = System.nanoTime() + 20_000; System.nanoTime() < until; ) {
                Thread.onSpinWait();
            }
            bytes.write(b, off, len);
            inside.decrementAndGet();
        }
    }

    /** What a test stream does with each write; frames are always written whole. */
    private interface Writes {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private static OutputStream stream(Writes writes) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException("frames are written whole");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writes.write(b, off, len);
            }
        };
    }

    /** A frame: writer id, sequence number, and filler, so the reader can check it whole. */
    private static byte[] frame(int writer, int seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(size).putInt(writer).putInt(seq);
        while (b.hasRemaining()) {
            b.put((byte) (writer + seq));
        }
        return b.array();
    }

    @RepeatedTest(5)
    void framesFromManyThreadsArriveWholeOnceAndInEachThreadsOrderInFewerWrites() throws Exception {
        int threads = 32;
        int each = 200;
        Recording out = new Recording();
        FrameWriter writer = new FrameWriter(out);
        CountDownLatch go = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        writer.write(frame(id, i, 12 + (i * 37 + id) % 300));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        }

        ByteBuffer all = ByteBuffer.wrap(out.bytes.toByteArray());
        Map<Integer, Integer> next = new HashMap<>();
        int frames = 0;
        while (all.hasRemaining()) {
            int start = all.position();
            int size = all.getInt();
            int id = all.getInt();
            int seq = all.getInt();
            assertThat(seq).as("writer %d's frames in its order", id).isEqualTo(next.getOrDefault(id, 0));
            next.put(id, seq + 1);
            for (int i = start + 12; i < start + size; i++) {
                assertThat(all.get(i)).as("frame %d/%d whole", id, seq).isEqualTo((byte) (id + seq));
            }
            all.position(start + size);
            frames++;
        }
        assertThat(frames).as("every frame once").isEqualTo(threads * each);
        assertThat(out.overlapped).as("one write at a time").isFalse();
        assertThat(out.writes.get()).as("frames that queued behind a write were merged").isLessThan(frames);
    }

    /**
     * Callers keep coming faster than a slow stream takes their frames: none of them is kept writing
     * the others' frames for long (the writer's own thread takes over), and none is lost.
     */
    @Test
    void noCallerIsKeptWritingTheOthersFramesWhileTheyKeepComing() throws Exception {
        AtomicInteger written = new AtomicInteger();
        FrameWriter writer = new FrameWriter(stream((b, off, len) -> {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.addAndGet(len);
        }));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong longest = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger frames = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    writer.write(new byte[100]);
                    frames.incrementAndGet();
                    longest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        Thread.sleep(2000);
        stop.set(true);
        for (Thread t : callers) {
            assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        }

        assertThat(longest.get() / 1_000_000).as("longest write() call, ms (a write takes 2)").isLessThan(500);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (written.get() < frames.get() * 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(written.get()).as("every frame written").isEqualTo(frames.get() * 100);
    }

    @Test
    void aFrameLargerThanOneMergedWriteGoesAloneAndWhole() {
        Recording out = new Recording();
        FrameWriter writer = new FrameWriter(out);
        byte[] big = frame(1, 0, FrameWriter.MAX_WRITE + 1000);

        writer.write(frame(1, 1, 20));
        writer.write(big);

        assertThat(out.bytes.toByteArray()).hasSize(20 + big.length);
        assertThat(ByteBuffer.wrap(out.bytes.toByteArray(), 20, big.length)).isEqualTo(ByteBuffer.wrap(big));
    }

    @Test
    void aFailedWriteIsDroppedAndLaterFramesAreStillTried() {
        AtomicInteger tries = new AtomicInteger();
        FrameWriter writer = new FrameWriter(stream((b, off, len) -> {
            tries.incrementAndGet();
            throw new IOException("reset");
        }));

        writer.write(frame(1, 0, 20));
        writer.write(frame(1, 1, 20));

        assertThat(tries).hasValue(2);
    }

    /**
     * Behind a stream that takes nothing (a peer that does not read), callers queue their frames and
     * go on until {@link FrameWriter#MAX_WRITE} bytes wait; then they wait their turn, so memory stays
     * bounded; all is written once the stream moves.
     */
    @Test
    void behindAStuckStreamCallersWaitOnceAMergedWriteIsQueued() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(stream((b, off, len) -> {
            stuck.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.write(b, off, len);
        }));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> first = pool.submit(() -> writer.write(frame(0, 0, 100)));
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            int small = 1000;
            int queuedBeforeFull = FrameWriter.MAX_WRITE / small;
            for (int i = 1; i <= queuedBeforeFull; i++) {
                int seq = i;
                assertThat(pool.submit(() -> writer.write(frame(1, seq, small))))
                        .as("frame %d is queued and its caller goes on", i).succeedsWithin(Duration.ofSeconds(10));
            }
            Future<?> over = pool.submit(() -> writer.write(frame(1, queuedBeforeFull + 1, small)));
            assertThat(over).as("more than a merged write queued: the caller waits").failsWithin(Duration.ofMillis(200))
                    .withThrowableOfType(java.util.concurrent.TimeoutException.class);

            release.countDown();

            over.get(10, TimeUnit.SECONDS);
            first.get(10, TimeUnit.SECONDS);
        }
        assertThat(written.size()).as("every frame written").isEqualTo(100 + (FrameWriter.MAX_WRITE / 1000 + 1) * 1000);
    }
}
