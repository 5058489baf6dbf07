package dev.weft.kvs;

import dev.weft.runtime.Sink;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An in-process namespace whose waiting calls (commits and version waits; reads never wait) give up
 * after a timeout with {@link OutcomeUnknownException}. Made by {@link LocalNamespace#withTimeout}.
 */
final class TimedNamespace implements Namespace {
    private final LocalNamespace ns;
    private final Duration timeout;

    TimedNamespace(LocalNamespace ns, Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a timeout must not be negative: " + timeout);
        }
        this.ns = ns;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return ns.name();
    }

    @Override
    public long version() {
        return ns.version();
    }

    @Override
    public View latest() {
        return ns.latest();
    }

    @Override
    public View at(long version) {
        return ns.at(version);
    }

    @Override
    public Entry entry(String key) {
        return ns.entry(key);
    }

    @Override
    public Entry readlink(String key) {
        return ns.readlink(key);
    }

    @Override
    public List<String> list(String dir) {
        return ns.list(dir);
    }

    @Override
    public long commit(Txn txn) throws InterruptedException {
        return await(ns.commitAsync(txn), "commit");
    }

    @Override
    public CompletableFuture<Long> commitAsync(Txn txn) {
        return ns.commitAsync(txn);
    }

    @Override
    public long waitVersion(long version) throws InterruptedException {
        return await(ns.whenVersion(version), "wait for version " + version);
    }

    @Override
    public boolean waitVersion(long version, Duration limit) throws InterruptedException {
        return ns.waitVersion(version, limit.compareTo(timeout) < 0 ? limit : timeout);
    }

    @Override
    public CompletableFuture<Long> whenVersion(long version) {
        return ns.whenVersion(version);
    }

    @Override
    public Watch watch(String key, WatchMode mode, Sink<? super WatchEvent> inbox) {
        return ns.watch(key, mode, inbox);
    }

    @Override
    public Watch watch(String key, WatchMode mode, Consumer<? super WatchEvent> listener) {
        return ns.watch(key, mode, listener);
    }

    @Override
    public Namespace withTimeout(Duration t) {
        return new TimedNamespace(ns, Objects.requireNonNull(t, "timeout"));
    }

    private long await(CompletableFuture<Long> future, String what) throws InterruptedException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException("namespace '" + name() + "': no answer to a " + what + " within "
                    + timeout + "; it may still take effect");
        } catch (ExecutionException e) {
            throw LocalNamespace.unwrap(e.getCause());
        }
    }

    @Override
    public String toString() {
        return ns + " (timeout " + timeout + ")";
    }
}
