package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExtensionTest {
    private static final int RACERS = 16;

    @Test
    void racingCallersGetTheOneInstanceCreatedOnce() throws Exception {
        AtomicInteger creations = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Extension<Object> id = w -> {
            creations.incrementAndGet();
            inside.countDown();
            assertThat(finish.await(10, TimeUnit.SECONDS)).as("the test lets the creation finish").isTrue();
            return new Object();
        };
        try (Weft weft = Weft.start(); var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Object>> got = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                got.add(pool.submit(() -> {
                    go.await();
                    return weft.extension(id);
                }));
            }
            go.countDown();
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            finish.countDown();   // the creation runs with no lock held: the others are waiting on it meanwhile

            Set<Object> seen = ConcurrentHashMap.newKeySet();
            for (Future<Object> f : got) {
                seen.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(seen).hasSize(1).containsExactly(weft.extension(id));
            assertThat(creations).hasValue(1);
        }
    }

    @Test
    void aFailedCreationThrowsAWeftExceptionAndTheNextCallTriesAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Extension<String> id = w -> {
            if (calls.incrementAndGet() == 1) {
                throw new java.io.IOException("disk full");
            }
            return "made on try " + calls.get();
        };
        try (Weft weft = Weft.start()) {
            assertThatThrownBy(() -> weft.extension(id))
                    .isInstanceOf(WeftException.class)
                    .hasMessageContaining("disk full")
                    .hasCauseInstanceOf(java.io.IOException.class);

            assertThat(weft.extension(id)).isEqualTo("made on try 2");
            assertThat(weft.extension(id)).isEqualTo("made on try 2");
        }
    }

    @Test
    void eachRuntimeHasItsOwnInstanceAndIdsAreToldApartByIdentity() throws Exception {
        Extension<Object> one = w -> new Object();
        Extension<Object> two = w -> new Object();
        try (Weft a = Weft.start(); Weft b = Weft.start()) {
            assertThat(a.extension(one)).isNotSameAs(b.extension(one)).isNotSameAs(a.extension(two));
        }
    }

    @Test
    void aCreationThatAsksForItselfIsRefusedInsteadOfWaitingForever() throws Exception {
        try (Weft weft = Weft.start()) {
            Extension<Object>[] self = new Extension[1];
            self[0] = w -> w.extension(self[0]);

            assertThatThrownBy(() -> weft.extension(self[0]))
                    .isInstanceOf(WeftException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasStackTraceContaining("asked for itself");
        }
    }
}
