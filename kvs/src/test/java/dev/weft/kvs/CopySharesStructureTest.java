package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A copy of a directory shares the persistent tree's structure: copying 100,000 keys costs a few
 * nodes, however many keys there are, counted exactly and measured on the heap.
 */
class CopySharesStructureTest {
    private static final int SUBDIRECTORIES = 100;
    private static final int KEYS_PER_SUBDIRECTORY = 1000;
    private static final int KEYS = SUBDIRECTORIES * KEYS_PER_SUBDIRECTORY;
    private static final int COPIES = 100;
    /** What the heap may grow by for all {@link #COPIES} copies: each is a few nodes (a deep copy is megabytes). */
    private static final long COPIES_HEAP_BOUND = 2L << 20;

    @Test
    void copyingAHundredThousandKeyDirectoryCostsAFewNodes() throws Exception {
        try (Kvs kvs = Kvs.inMemory()) {
            Namespace ns = kvs.primary();
            long empty = usedHeap();
            for (int d = 0; d < SUBDIRECTORIES; d++) {
                Txn txn = new Txn();
                for (int k = 0; k < KEYS_PER_SUBDIRECTORY; k++) {
                    txn.put("big.d" + d + ".k" + k, "value " + k);
                }
                ns.commit(txn);
            }
            long directory = usedHeap() - empty;
            Node.Dir before = root(kvs);
            assertThat(reachable(before).size()).as("nodes of the directory").isGreaterThan(KEYS);

            long copied = ns.copy("big", "copy.0");
            Set<Object> added = reachable(root(kvs));
            added.removeAll(reachable(before));
            assertThat(added).as("the nodes the copy made: the root, a directory above the copy and the copy itself")
                    .hasSizeLessThanOrEqualTo(3);
            assertThat(ns.latest().getString("copy.0.d42.k999")).isEqualTo("value 999");
            assertThat(ns.latest().keyVersion("copy.0.d42.k999")).isEqualTo(copied);

            long beforeCopies = usedHeap();
            for (int c = 1; c <= COPIES; c++) {
                ns.copy("big", "copy." + c);
            }
            long copies = usedHeap() - beforeCopies;
            System.out.printf("a directory of %d keys: %d bytes of heap; %d copies of it: %d bytes%n", KEYS, directory,
                    COPIES, copies);
            assertThat(directory).as("the directory itself costs megabytes (measured: %d bytes)", directory)
                    .isGreaterThan(4L << 20);
            assertThat(copies).as("%d copies cost a small constant each (measured: %d bytes; the directory: %d)",
                    COPIES, copies, directory).isLessThan(COPIES_HEAP_BOUND);
            assertThat(ns.list("copy")).hasSize(COPIES + 1);

            ns.put("copy.7.d1.k1", "changed");
            assertThat(ns.getString("big.d1.k1")).as("the copies stay separate").isEqualTo("value 1");
            assertThat(ns.getString("copy.8.d1.k1")).isEqualTo("value 1");
        }
    }

    private static Node.Dir root(Kvs kvs) {
        return kvs.local(KvsStore.PRIMARY).head().dir();
    }

    /** Every node and blob reachable from {@code root}, by identity. */
    private static Set<Object> reachable(Node.Dir root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Node n = todo.poll();
            if (!seen.add(n)) {
                continue;
            }
            if (n instanceof Node.Dir d) {
                for (int i = 0; i < d.size(); i++) {
                    todo.add(d.child(i));
                }
            } else if (n instanceof Node.Val v) {
                seen.add(v.data());
            }
        }
        return seen;
    }

    /** The heap in use after full collections (the copies' garbage, and everyone else's, collected). */
    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
