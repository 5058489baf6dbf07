package dev.weft.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code weft kvs ...} run as a user runs it: the launcher in a child JVM on this test's class
 * path, with its standard input, output and error. Output can be awaited while it runs (to know a
 * watch has started before changing what it watches); every wait fails after {@link #WAIT_SECONDS}
 * instead of hanging.
 */
final class KvsCli {
    static final long WAIT_SECONDS = 60;

    private final Process process;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grew = lock.newCondition();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<String> err = new CompletableFuture<>();
    private final CompletableFuture<Void> outEnded = new CompletableFuture<>();
    private final String command;

    private KvsCli(List<String> args, byte[] stdin) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "kvs"));
        cmd.addAll(args);
        command = "weft kvs " + String.join(" ", args);
        process = new ProcessBuilder(cmd).start();
        Thread.ofVirtual().start(() -> copyOut(process.getInputStream()));
        Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getErrorStream()) {
                err.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.complete("(standard error unreadable: " + e + ")");
            }
        });
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
    }

    /** Starts {@code weft kvs ARGS... --connect 127.0.0.1:PORT} with {@code stdin} as its input. */
    static KvsCli start(int port, byte[] stdin, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--connect", "127.0.0.1:" + port));
        return new KvsCli(all, stdin);
    }

    /** Starts {@code weft kvs ARGS... --connect 127.0.0.1:PORT} with empty input. */
    static KvsCli start(int port, String... args) throws IOException {
        return start(port, new byte[0], args);
    }

    /** Runs {@code weft kvs ARGS... --connect 127.0.0.1:PORT} to its end. */
    static LauncherRun run(int port, String... args) throws IOException, InterruptedException {
        return start(port, args).finish();
    }

    private void copyOut(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                lock.lock();
                try {
                    out.write(buffer, 0, n);
                    grew.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // the process is gone; finish() reports what it printed
        } finally {
            outEnded.complete(null);
        }
    }

    /** Waits until standard output contains {@code text}. */
    void awaitOutput(String text) throws InterruptedException {
        long left = TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        lock.lock();
        try {
            while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
                if (left <= 0) {
                    throw new AssertionError("'" + command + "' did not print '" + text + "' within " + WAIT_SECONDS
                            + " s; it printed:\n" + out.toString(StandardCharsets.UTF_8));
                }
                left = grew.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Standard output so far, as bytes. */
    byte[] outBytes() {
        lock.lock();
        try {
            return out.toByteArray();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the process to exit; returns its exit code and everything it printed. */
    LauncherRun finish() throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("'" + command + "' did not exit within " + WAIT_SECONDS + " s; it printed:\n"
                    + new String(outBytes(), StandardCharsets.UTF_8));
        }
        String errors;
        try {
            outEnded.get(WAIT_SECONDS, TimeUnit.SECONDS);
            errors = err.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the output of '" + command + "' did not end with the process", e);
        }
        return new LauncherRun(process.exitValue(), new String(outBytes(), StandardCharsets.UTF_8), errors);
    }

    /** Kills the process if it still runs. */
    void kill() {
        process.destroyForcibly();
    }
}
