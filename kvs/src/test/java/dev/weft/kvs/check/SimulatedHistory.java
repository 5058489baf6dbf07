package dev.weft.kvs.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Generates histories that are linearizable by construction, for testing the checker: clients with
 * overlapping calls against a sequential store, each call taking effect at a random point inside
 * its interval. Some outcomes are made unknown (applied or not), some failed, and some witnesses are
 * left out.
 *
 * @param clients concurrent clients (the concurrency of the history)
 * @param keys how many keys the calls touch
 * @param ops how many operations to generate
 * @param unknownRate the share of calls whose outcome is unknown (half of those writes applied)
 * @param dropWitnessRate the share of answers whose versions are left out
 * @param seed the random seed
 */
record SimulatedHistory(int clients, int keys, int ops, double unknownRate, double dropWitnessRate, long seed) {
    private static final long NONE = Outcome.NONE;

    private record Cell(String value, long version) {
    }

    private record InFlight(int client, long invoked, long point, long completed, Call call) {
    }

    History generate() {
        Random random = new Random(seed);
        Map<String, Cell> store = new HashMap<>();
        long root = 0;
        List<Map<String, Long>> known = new ArrayList<>();
        PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) -> Long.compare(a.point(), b.point()));
        for (int c = 0; c < clients; c++) {
            known.add(new HashMap<>());
            queue.add(next(random, c, random.nextInt(10), known.get(c)));
        }
        List<Op> history = new ArrayList<>();
        int seq = 0;
        while (history.size() < ops) {
            InFlight f = queue.poll();
            Map<String, Long> mine = known.get(f.client());
            boolean drop = random.nextDouble() < dropWitnessRate;
            double fate = random.nextDouble();
            Outcome outcome;
            if (f.call() instanceof Call.Read read) {
                List<Outcome.Seen> seen = new ArrayList<>();
                for (String k : read.keys()) {
                    Cell cell = store.get(k);
                    seen.add(new Outcome.Seen(k, cell == null ? null : cell.value(), drop ? NONE : cell == null ? 0 : cell.version()));
                    if (!drop) {
                        mine.put(k, cell == null ? 0 : cell.version());
                    }
                }
                outcome = fate < unknownRate ? new Outcome.Unknown("lost") : new Outcome.Read(drop ? NONE : root, seen);
            } else {
                Call.Write write = (Call.Write) f.call();
                Call.Require failed = null;
                for (Call.Require req : write.requires()) {
                    Cell cell = store.get(req.key());
                    if ((cell == null ? 0 : cell.version()) != req.version()) {
                        failed = req;
                        break;
                    }
                }
                boolean lost = fate < unknownRate;
                boolean applies = failed == null && (!lost || random.nextBoolean()) && fate > 0.01;
                if (applies) {
                    root++;
                    for (Call.Put p : write.puts()) {
                        store.put(p.key(), new Cell(p.value(), root));
                    }
                }
                if (lost) {
                    outcome = new Outcome.Unknown("lost");
                } else if (failed != null) {
                    Cell cell = store.get(failed.key());
                    long actual = cell == null ? 0 : cell.version();
                    outcome = drop ? new Outcome.Refused(null, NONE, NONE) : new Outcome.Refused(failed.key(), actual, NONE);
                    if (!drop) {
                        mine.put(failed.key(), actual);
                    }
                } else if (!applies) {
                    outcome = new Outcome.Failed("refused before sending");
                } else {
                    outcome = new Outcome.Committed(drop ? NONE : root);
                    if (!drop) {
                        for (Call.Put p : write.puts()) {
                            mine.put(p.key(), root);
                        }
                    }
                }
            }
            long completed = outcome instanceof Outcome.Unknown ? Long.MAX_VALUE : f.completed();
            history.add(new Op(++seq, f.client(), f.call(), f.invoked(), completed, outcome));
            queue.add(next(random, f.client(), f.completed() + random.nextInt(5), mine));
        }
        return new History(history);
    }

    private InFlight next(Random random, int client, long invoked, Map<String, Long> known) {
        long duration = 1 + random.nextInt(40);
        long point = invoked + random.nextLong(duration + 1);
        String value = "c" + client + "." + invoked + "." + random.nextInt(1_000_000);
        String a = key(random);
        String b = key(random);
        int kind = random.nextInt(10);
        Call call;
        if (kind < 4) {
            call = a.equals(b) || kind < 2 ? new Call.Read(a) : new Call.Read(a, b);
        } else if (kind < 5) {
            call = Call.Write.put(a, value);
        } else if (kind < 8) {
            call = Call.Write.cas(a, known.getOrDefault(a, 0L), value);
        } else if (a.equals(b)) {
            call = Call.Write.put(a, value);
        } else {
            List<Call.Require> requires = new ArrayList<>();
            requires.add(new Call.Require(a, known.getOrDefault(a, 0L)));
            if (random.nextBoolean()) {
                requires.add(new Call.Require(b, known.getOrDefault(b, 0L)));
            }
            call = new Call.Write(requires, List.of(new Call.Put(a, value + "a"), new Call.Put(b, value + "b")));
        }
        return new InFlight(client, invoked, point, invoked + duration, call);
    }

    private String key(Random random) {
        return "k" + random.nextInt(keys);
    }
}
