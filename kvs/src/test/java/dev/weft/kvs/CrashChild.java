package dev.weft.kvs;

import java.nio.file.Path;

/**
 * The child JVM of {@link CrashTest}: commits in a loop from several threads and prints
 * {@code ack <writer> <n> <version>} after each commit is acknowledged, until it is killed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Kvs kvs = Kvs.open(KvsOptions.durable(Path.of(args[0])).withFsync(FsyncMode.valueOf(args[1])));
        int writers = Integer.parseInt(args[2]);
        Namespace ns = kvs.primary();
        System.out.println("ready " + ns.version());
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread.ofVirtual().start(() -> {
                try {
                    for (long n = 0; ; n++) {
                        long v = ns.commit(new Txn().put("w" + writer + "." + n, Long.toString(n)).append("all", "x"));
                        System.out.println("ack " + writer + " " + n + " " + v);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        Thread.currentThread().join();
    }
}
