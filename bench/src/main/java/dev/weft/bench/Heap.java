package dev.weft.bench;

import java.lang.management.ManagementFactory;

/** Heap measurements shared by the memory benchmarks. */
public final class Heap {
    private Heap() {
    }

    /** Returns the smallest used heap seen over five full collections, pausing briefly between them. */
    public static long usedAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);   // lets the GC's own threads settle between collections
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
