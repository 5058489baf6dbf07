package dev.weft.bench.actor;

/** Runs a throughput case a few times to warm up, then several times measured; returns the median rate. */
final class Throughput {
    private static final int WARM_UPS = 3;
    private static final int MEASURED = 5;

    /** One run of a case: does its work and returns how many operations it completed. */
    interface Run {
        long run() throws Exception;
    }

    private Throughput() {
    }

    static double measure(Run run) throws Exception {
        for (int i = 0; i < WARM_UPS; i++) {
            run.run();
        }
        double[] rates = new double[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            long ops = run.run();
            rates[i] = ops * 1e9 / (System.nanoTime() - start);
        }
        return HandlerActorBench.median(rates);
    }
}
