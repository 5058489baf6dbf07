package dev.weft.kvs;

import dev.weft.runtime.Sink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One namespace of a {@link KvsStore}: a tree of keys whose root version grows with every commit.
 * The same contract in process, over the network and on etcd (docs/kvs.md says where the backends
 * differ: on etcd versions are etcd's global revision, so they grow but are not dense). Usable from
 * any thread.
 *
 * <pre>{@code
 * Namespace ns = store.primary();
 * long v = ns.commit(new Txn().put("a.b", "1"));
 * ns.at(v).getString("a.b");              // "1"
 * }</pre>
 *
 * <p>Every call that may wait (for the network, for durability) throws {@link InterruptedException};
 * refusals are {@link KvsException}s of their own type, and a call whose reply was lost throws
 * {@link OutcomeUnknownException}.
 */
public interface Namespace {
    /** Returns this namespace's name. */
    String name();

    /** Returns the latest durable root version (0 before the first commit in process and on a Weft server). */
    long version() throws InterruptedException;

    /** Returns a view of the latest durable version. */
    View latest() throws InterruptedException;

    /**
     * Returns a view of {@code version}.
     *
     * @throws VersionNotRetainedException if it is too old or not reached yet (in process at once,
     *     elsewhere at the view's first read)
     */
    View at(long version) throws InterruptedException;

    /** Reads {@code key} at the latest version, following symlinks: value, kind and versions in one round trip. */
    Entry entry(String key) throws InterruptedException;

    /** Reads the node at {@code key} itself at the latest version, a symlink included; see {@link View#readlink}. */
    Entry readlink(String key) throws InterruptedException;

    /** Reads {@code key} at the latest version; see {@link View#get}. */
    default byte[] get(String key) throws InterruptedException {
        return entry(key).valueOrNull();
    }

    /** Reads {@code key} as UTF-8 at the latest version; see {@link View#getString}. */
    default String getString(String key) throws InterruptedException {
        return entry(key).string();
    }

    /** Lists directory {@code dir} at the latest version; see {@link View#list}. */
    List<String> list(String dir) throws InterruptedException;

    /**
     * Commits {@code txn} atomically and returns the new root version, once the commit is durable
     * and visible to every reader.
     *
     * @throws ConflictException if a precondition failed (nothing was committed); its
     *     {@code actual()} is never above {@link #version()}
     * @throws NotAValueException if an operation needs a value and finds a directory (nothing was
     *     committed); likewise {@link NotADirectoryException}
     * @throws OutcomeUnknownException if the reply was lost: the commit may have been applied
     * @throws InterruptedException if interrupted while waiting; the commit may still happen
     */
    long commit(Txn txn) throws InterruptedException;

    /**
     * Like {@link #commit}, without waiting: the future completes with the new root version, or
     * exceptionally with the exception {@code commit} would throw. Keep its callbacks short: they run
     * on the backend's own thread.
     */
    CompletableFuture<Long> commitAsync(Txn txn);

    /** Commits a put of {@code value} at {@code key}. */
    default long put(String key, byte[] value) throws InterruptedException {
        return commit(new Txn().put(key, value));
    }

    /** Commits a put of the UTF-8 bytes of {@code value} at {@code key}. */
    default long put(String key, String value) throws InterruptedException {
        return put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Commits an append of the UTF-8 bytes of {@code text} to {@code key}. */
    default long append(String key, String text) throws InterruptedException {
        return commit(new Txn().append(key, text));
    }

    /** Commits the removal of {@code key} and everything beneath it. */
    default long unlink(String key) throws InterruptedException {
        return commit(new Txn().unlink(key));
    }

    /** Commits an empty directory at {@code key}. */
    default long mkdir(String key) throws InterruptedException {
        return commit(new Txn().mkdir(key));
    }

    /** Commits a symlink at {@code key} to {@code target} ({@code "key"} or {@code "ns::key"}); see {@link Txn#symlink}. */
    default long symlink(String key, String target) throws InterruptedException {
        return commit(new Txn().symlink(key, target));
    }

    /** Commits a copy of {@code from} at {@code to}; see {@link Txn#copy}. */
    default long copy(String from, String to) throws InterruptedException {
        return commit(new Txn().copy(from, to));
    }

    /** Commits a move of {@code from} to {@code to} (a copy and an unlink in one commit); see {@link Txn#move}. */
    default long move(String from, String to) throws InterruptedException {
        return commit(new Txn().move(from, to));
    }

    /**
     * Blocks until this namespace's durable version is at least {@code version}; returns the
     * version then (at least {@code version}). Pass versions out of band and wait for them here to
     * read your writes across components, threads and processes.
     *
     * @throws NoSuchNamespaceException if the namespace is removed while waiting
     */
    long waitVersion(long version) throws InterruptedException;

    /** Like {@link #waitVersion(long)}, for at most {@code timeout}; returns whether it was reached. */
    boolean waitVersion(long version, Duration timeout) throws InterruptedException;

    /**
     * Returns a future completed with the durable version once it is at least {@code version}.
     * Over the network it holds one of the connection's in-flight slots until then; prefer
     * {@link #waitVersion(long, Duration)} for a wait that may give up.
     */
    CompletableFuture<Long> whenVersion(long version);

    /**
     * Starts a watch on {@code key} that sends {@link WatchEvent}s to {@code target}, in version
     * order, every change once. The target is any send-only handle: your component's inbox (pass
     * {@code inbox}; the watch needs no more than to send), a registry lookup, a remote link. A full
     * inbox pushes back on the watch, and a watcher that falls behind by more than the watch's buffer
     * gets {@code Ended(OVERFLOWED)} rather than a gap. The watch ends when the target refuses a send
     * (its owner has ended; in process a local inbox's end is noticed at the next commit).
     */
    Watch watch(String key, WatchMode mode, Sink<? super WatchEvent> target) throws InterruptedException;

    /**
     * Starts a watch whose events go to {@code listener}, one at a time on one thread of the
     * backend: keep it short (over the network every other reply of the connection waits for it).
     */
    Watch watch(String key, WatchMode mode, Consumer<? super WatchEvent> listener) throws InterruptedException;

    /**
     * Starts a watch with Flux's flags ({@link WatchOptions}: wait for a value, only changed values,
     * at most a number of events) whose events go to {@code listener}; without flags it is
     * {@link #watch(String, WatchMode, Consumer)}. The flags apply to the events the backend
     * delivers, so they work alike on every backend.
     */
    default Watch watch(String key, WatchMode mode, WatchOptions options, Consumer<? super WatchEvent> listener)
            throws InterruptedException {
        return options.isNone() ? watch(key, mode, listener) : FilteredWatch.start(this, key, mode, options, listener);
    }

    /**
     * Like {@link #watch(String, WatchMode, WatchOptions, Consumer)}, delivering to {@code target}
     * from the backend's delivery thread (a full inbox pushes back on it).
     */
    default Watch watch(String key, WatchMode mode, WatchOptions options, Sink<? super WatchEvent> target)
            throws InterruptedException {
        return options.isNone() ? watch(key, mode, target) : FilteredWatch.start(this, key, mode, options, target);
    }

    /**
     * Returns this namespace with every call bounded by {@code timeout}: a call that has no answer
     * by then throws {@link OutcomeUnknownException} (for a commit: it may still be applied). Over the
     * network and on etcd the store's default timeout applies otherwise; in process calls are
     * unbounded unless given one here.
     */
    Namespace withTimeout(Duration timeout);
}
