package dev.weft.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link NodeMain} in a child JVM: commands in, answer lines out, {@code kill -9} on demand. */
final class NodeProcess implements AutoCloseable {
    static final long ANSWER_SECONDS = 60;

    final String name;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> passed = new ArrayList<>();
    private final Path log;
    private final Thread reader;
    final String incarnation;
    final int port;

    private NodeProcess(String name, Process process, Path log) throws Exception {
        this.name = name;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.reader = Thread.ofVirtual().name("node-" + name + "-out").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("error reading the node's output: " + e);
            }
        });
        String[] ready = await("ready").split(" ");
        this.incarnation = ready[1];
        this.port = Integer.parseInt(ready[2]);
    }

    static NodeProcess start(ClusterEtcd etcd, String name, long ttlSeconds, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath, NodeMain.class.getName(),
                etcd.etcd.endpoint(), etcd.prefix, name, Long.toString(ttlSeconds), Integer.toString(port)));
        Path log = Files.createTempFile("weft-node-" + name + "-", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            return new NodeProcess(name, p, log);
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Sends a command without waiting for its answer. */
    void tell(String command) {
        commands.println(command);
    }

    /** Sends a command and returns the first answer line that starts with {@code answer}. */
    String ask(String command, String answer) throws Exception {
        commands.println(command);
        return await(answer);
    }

    /**
     * Returns the first line that starts with {@code prefix}, failing after a watchdog timeout. Lines
     * passed over stay for later calls. One thread at a time drives a node.
     */
    String await(String prefix) throws Exception {
        for (var it = passed.iterator(); it.hasNext(); ) {
            String line = it.next();
            if (line.startsWith(prefix)) {
                it.remove();
                return line;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
        while (true) {
            String line = lines.poll(Math.min(1_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null && !reader.isAlive() && lines.isEmpty()) { // its output has ended, all of it read
                throw new AssertionError("node " + name + " exited before a line "
                        + "starting with '" + prefix + "'; its log: " + Files.readString(log));
            }
            if (line == null && System.nanoTime() - deadline < 0) {
                continue;
            }
            if (line == null) {
                throw new AssertionError("node " + name + " gave no line starting with '" + prefix + "' in "
                        + ANSWER_SECONDS + " s (passed over: " + passed + "); its log: " + Files.readString(log));
            }
            if (line.startsWith("error")) {
                throw new AssertionError("node " + name + ": " + line + "; its log: " + Files.readString(log));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            passed.add(line);
        }
    }

    /** Returns the lines that came and were not taken, starting with {@code prefix}, without waiting. */
    List<String> unclaimed(String prefix) {
        lines.drainTo(passed);
        return passed.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(ANSWER_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        commands.close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
