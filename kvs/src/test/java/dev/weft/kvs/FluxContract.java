package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The part of the store contract that came from the Flux KVS after the first: symlinks, copy and
 * move, watch flags and eventlogs (RFC 18). Every test runs once per backend, like
 * {@link KvsContract}'s; where a backend cannot do something by the nature of its storage
 * ({@link Backend#copiesDirectories()}), the test checks that it refuses it with a typed error and
 * changes nothing.
 */
public abstract class FluxContract extends KvsContract {
    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- symlinks

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void readsFollowSymlinksAndReadlinkReturnsTheLinkItself(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long before = ns.put("conf.real.mode", "fast");
            long linked = ns.commit(new Txn().symlink("current", "conf.real").symlink("mode", "current.mode"));

            assertThat(ns.getString("mode")).as("a link to a link to a value").isEqualTo("fast");
            assertThat(ns.getString("current.mode")).as("a link on the way to a key").isEqualTo("fast");
            assertThat(ns.list("current")).as("listing through a link").containsExactly("mode");
            assertThat(ns.list(".")).containsExactly("conf", "current", "mode");
            View view = ns.latest();
            assertThat(view.isDirectory("current")).isTrue();
            assertThat(view.keyVersion("mode")).as("a read through a link has its target's version").isEqualTo(before);

            Entry link = ns.readlink("current");
            assertThat(link.symlink()).isTrue();
            assertThat(link.link()).isEqualTo("conf.real");
            assertThat(link.keyVersion()).as("the link's own version").isEqualTo(linked);
            assertThatThrownBy(link::valueOrNull).isInstanceOf(NotAValueException.class).hasMessageContaining("symlink");
            Entry plain = ns.readlink("current.mode");
            assertThat(plain.symlink()).as("readlink follows links on the way").isFalse();
            assertThat(plain.string()).isEqualTo("fast");
            assertThat(ns.readlink("nothing").exists()).isFalse();
            assertThat(ns.at(before).get("current.mode")).as("no link before it was made").isNull();
            assertThat(ns.at(linked).readlink("mode").link()).isEqualTo("current.mode");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aSymlinkIntoAnotherNamespaceReadsThereUntilItIsRemoved(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace other = store.createNamespace("other", "someone");
            other.put("x.y", "there");
            Namespace ns = store.primary();
            ns.symlink("far", "other::x");

            assertThat(ns.getString("far.y")).isEqualTo("there");
            assertThat(ns.list("far")).containsExactly("y");
            assertThat(ns.readlink("far").link()).isEqualTo("other::x");

            store.removeNamespace("other");

            assertThat(ns.get("far.y")).as("a link into a removed namespace dangles").isNull();
            assertThat(ns.readlink("far").link()).isEqualTo("other::x");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void preconditionsWritesAndWatchesNameTheLinkItself(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long target = ns.put("t", "1");
            long linked = ns.symlink("l", "t");
            Events events = new Events();
            ns.watch("l", WatchMode.VALUE, events);
            assertThat(events.next(WatchEvent.Value.class).value()).as("a symlink has no value of its own").isNull();

            long through = ns.commit(new Txn().require("l", linked).put("t", "2"));
            assertThatThrownBy(() -> ns.commit(new Txn().require("l", target).put("t", "3")))
                    .as("the precondition compares the link's version, not its target's")
                    .isInstanceOfSatisfying(ConflictException.class, c -> assertThat(c.actual()).isEqualTo(linked));
            assertThatThrownBy(() -> ns.put("l.under", "x")).isInstanceOf(NotADirectoryException.class)
                    .hasMessageContaining("symlink");
            assertThatThrownBy(() -> ns.append("l", "x")).isInstanceOf(NotAValueException.class)
                    .hasMessageContaining("symlink");
            long replaced = ns.put("l", "a value now");

            assertThat(through).isGreaterThan(linked);
            assertThat(ns.getString("t")).isEqualTo("2");
            assertThat(ns.readlink("l").symlink()).as("a put replaces the link").isFalse();
            assertThat(ns.getString("l")).isEqualTo("a value now");
            WatchEvent.Value changed = events.next(WatchEvent.Value.class);
            assertThat(changed.version()).as("the watch does not follow the link to its target").isEqualTo(replaced);
            assertThat(text(changed.value())).isEqualTo("a value now");
            events.assertNothingMore(ns);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aSymlinkLoopOrAChainPastTheHopLimitIsAClearError(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Txn txn = new Txn().symlink("a", "b").symlink("b", "a").put("end", "reached");
            for (int i = 0; i <= View.MAX_LINK_HOPS; i++) {
                txn.symlink("c" + i, i == View.MAX_LINK_HOPS ? "end" : "c" + (i + 1));
            }
            ns.commit(txn);

            assertThatThrownBy(() -> ns.get("a")).isInstanceOf(SymlinkLoopException.class)
                    .hasMessageContaining("a -> b").hasMessageContaining("b -> a").hasMessageContaining("loop");
            assertThatThrownBy(() -> ns.list("a.x")).isInstanceOf(SymlinkLoopException.class);
            assertThat(ns.getString("c1")).as(View.MAX_LINK_HOPS + " links are followed").isEqualTo("reached");
            assertThatThrownBy(() -> ns.get("c0")).as("one more is too many").isInstanceOf(SymlinkLoopException.class)
                    .hasMessageContaining("more than " + View.MAX_LINK_HOPS);
            assertThat(ns.readlink("a").link()).as("readlink of a link in a loop still works").isEqualTo("b");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void aDanglingSymlinkReadsAsMissingAndListingThroughItSaysWhere(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.symlink("d", "nowhere");

            assertThat(ns.get("d")).isNull();
            assertThat(ns.entry("d").exists()).isFalse();
            assertThat(ns.readlink("d").link()).isEqualTo("nowhere");
            assertThatThrownBy(() -> ns.list("d")).isInstanceOf(NotADirectoryException.class)
                    .hasMessageContaining("missing").hasMessageContaining("nowhere");

            ns.put("nowhere.k", "v");
            assertThat(ns.getString("d.k")).as("the link resolves once its target exists").isEqualTo("v");
        }
    }

    // ---------------------------------------------------------------- copy and move

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void copyDuplicatesAValueASymlinkAndADirectoryAndLaterChangesStaySeparate(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.commit(new Txn().put("a.x", "1").put("a.sub.y", "2").symlink("l", "a.x"));
            long copied = ns.commit(new Txn().copy("a.x", "b").copy("l", "l2"));
            if (!backend.copiesDirectories()) {
                long v = ns.version();
                assertThatThrownBy(() -> ns.copy("a", "c")).isInstanceOf(NotSupportedException.class)
                        .hasMessageContaining("director");
                assertThat(ns.version()).as("the refusal committed nothing").isEqualTo(v);
            }

            assertThat(ns.getString("b")).isEqualTo("1");
            assertThat(ns.readlink("l2").link()).as("a symlink is copied, not followed").isEqualTo("a.x");
            assertThat(ns.entry("b").keyVersion()).as("a copy is new at the copying commit").isEqualTo(copied);
            ns.put("a.x", "changed");
            assertThat(ns.getString("b")).isEqualTo("1");
            assertThat(ns.getString("l2")).isEqualTo("changed");

            if (backend.copiesDirectories()) {
                long dir = ns.copy("a", "c");
                ns.commit(new Txn().require("c.sub.y", dir).put("c.sub.w", "1"));
                Events values = new Events();
                Events dirs = new Events();
                ns.watch("c.x", WatchMode.VALUE, values);
                ns.watch("c", WatchMode.DIRECTORY, dirs);
                assertThat(values.next(WatchEvent.Value.class).value()).isNotNull();
                long again = ns.copy("a", "c");
                assertThat(values.next(WatchEvent.Value.class).version()).as("a copy over an equal copy is a change")
                        .isEqualTo(again);
                assertThat(dirs.next(WatchEvent.DirChanged.class).changed()).as("a replaced subtree is named by its top")
                        .containsExactly("c");
                assertThat(ns.latest().list("c.sub")).containsExactly("y");
                ns.put("a.sub.y", "changed too");
                ns.put("c.sub.z", "only in the copy");
                assertThat(ns.getString("c.x")).isEqualTo("changed");
                assertThat(ns.getString("c.sub.y")).isEqualTo("2");
                assertThat(ns.list("a.sub")).containsExactly("y");
                assertThat(ns.list("c.sub")).containsExactly("y", "z");
                assertThat(ns.at(dir).keyVersion("c.sub.y")).as("every key of a copy has the copy's version")
                        .isEqualTo(dir);
                assertThat(ns.at(dir - 1).get("c.sub.y")).isNull();
                assertThat(ns.entry("c.sub.y").keyVersion()).isEqualTo(again);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void moveIsACopyAndAnUnlinkInOneCommit(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.commit(new Txn().put("m.v", "x").put("m.w", "y"));
            Events from = new Events();
            Events to = new Events();
            ns.watch("m.v", WatchMode.VALUE, from);
            ns.watch("n.v", WatchMode.VALUE, to);
            from.next(WatchEvent.Value.class);
            to.next(WatchEvent.Value.class);

            long moved = ns.move("m.v", "n.v");

            assertThat(ns.get("m.v")).isNull();
            assertThat(ns.getString("n.v")).isEqualTo("x");
            WatchEvent.Value gone = from.next(WatchEvent.Value.class);
            WatchEvent.Value came = to.next(WatchEvent.Value.class);
            assertThat(gone.version()).as("one commit").isEqualTo(moved).isEqualTo(came.version());
            assertThat(gone.value()).isNull();
            assertThat(text(came.value())).isEqualTo("x");
            if (backend.copiesDirectories()) {
                long dir = ns.move("m", "o");
                assertThat(ns.latest().exists("m")).isFalse();
                assertThat(ns.getString("o.w")).isEqualTo("y");
                assertThat(ns.entry("o").keyVersion()).isEqualTo(dir);
            } else {
                assertThatThrownBy(() -> ns.move("m", "o")).isInstanceOf(NotSupportedException.class);
                assertThat(ns.getString("m.w")).isEqualTo("y");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void copyOfAMissingKeyIsRefusedAndAMoveIntoItselfIsAnError(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            long v = ns.put("a.b", "1");

            assertThatThrownBy(() -> ns.commit(new Txn().put("x", "1").copy("nope", "y")))
                    .isInstanceOf(NoSuchKeyException.class).hasMessageContaining("'nope' is missing");
            assertThatThrownBy(() -> ns.move("nope", "y")).isInstanceOf(NoSuchKeyException.class);
            assertThatThrownBy(() -> new Txn().move("a", "a.b.c")).isInstanceOf(KvsException.class)
                    .hasMessageContaining("into itself");
            assertThatThrownBy(() -> new Txn().move("a", "a")).isInstanceOf(KvsException.class);
            assertThat(ns.version()).isEqualTo(v);
            assertThat(ns.get("x")).isNull();
            long later = ns.commit(new Txn().put("fresh", "made").copy("fresh", "copy"));
            assertThat(ns.getString("copy")).as("a copy sees what the same transaction wrote before it").isEqualTo("made");
            assertThat(ns.entry("copy").keyVersion()).isEqualTo(later);
        }
    }

    // ---------------------------------------------------------------- watch flags

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void uniqSkipsValuesThatDidNotChangeAndCountEndsTheWatch(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.put("k", "1");
            Events events = new Events();
            Watch watch = ns.watch("k", WatchMode.VALUE, WatchOptions.NONE.withUniq().withCount(3), events);
            ns.put("k", "1");
            long two = ns.put("k", "2");
            ns.put("k", "2");
            long back = ns.put("k", "1");
            ns.put("k", "3");

            assertThat(text(events.next(WatchEvent.Value.class).value())).isEqualTo("1");
            WatchEvent.Value second = events.next(WatchEvent.Value.class);
            assertThat(second.version()).as("the put of the same bytes was skipped").isEqualTo(two);
            WatchEvent.Value third = events.next(WatchEvent.Value.class);
            assertThat(third.version()).isEqualTo(back);
            WatchEvent.Ended end = events.next(WatchEvent.Ended.class);
            assertThat(end.reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
            assertThat(end.version()).as("ended at the third event").isEqualTo(back);
            assertThat(end.watchId()).isEqualTo(watch.id());
            events.assertNothingMore(ns);
            assertThat(watch.isActive()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void waitCreateDeliversNothingBeforeTheKeysFirstValue(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Events events = new Events();
            Watch watch = ns.watch("later", WatchMode.VALUE, WatchOptions.NONE.withWaitCreate(), events);
            ns.put("other", "x");
            long made = ns.put("later", "here");
            long gone = ns.unlink("later");

            WatchEvent.Value first = events.next(WatchEvent.Value.class);
            assertThat(first.version()).isEqualTo(made);
            assertThat(text(first.value())).isEqualTo("here");
            WatchEvent.Value removed = events.next(WatchEvent.Value.class);
            assertThat(removed.version()).as("after the first value, a removal is reported").isEqualTo(gone);
            assertThat(removed.value()).isNull();
            watch.cancel();
            assertThat(events.next(WatchEvent.Ended.class).reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void everyValueWatchIsFullAndSeesItsParentReplaced(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            ns.put("p.c", "1");
            Events events = new Events();
            ns.watch("p.c", WatchMode.VALUE, events);
            events.next(WatchEvent.Value.class);

            long unlinked = ns.unlink("p");
            long back = ns.put("p.c", "2");
            long replaced = ns.put("p", "a value");
            long dir = ns.commit(new Txn().mkdir("p").put("p.c", "3"));

            List<Long> versions = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                WatchEvent.Value e = events.next(WatchEvent.Value.class);
                versions.add(e.version());
                values.add(e.value() == null ? null : text(e.value()));
            }
            assertThat(versions).containsExactly(unlinked, back, replaced, dir);
            assertThat(values).containsExactly(null, "2", null, "3");
        }
    }

    // ---------------------------------------------------------------- eventlogs

    /** Eventlog events and ends, queued, taken with a 10 s watchdog. */
    static final class LogEvents implements Eventlog.Listener {
        record Seen(long index, long version, Eventlog.Event event) {
        }

        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

        @Override
        public void event(long index, long version, Eventlog.Event event) {
            queue.add(new Seen(index, version, event));
        }

        @Override
        public void ended(WatchEvent.Ended end, KvsException error) {
            queue.add(error != null ? error : end);
        }

        Object next() throws InterruptedException {
            Object o = queue.poll(10, TimeUnit.SECONDS);
            assertThat(o).as("an eventlog event within 10 s").isNotNull();
            return o;
        }

        Seen event() throws InterruptedException {
            Object o = next();
            assertThat(o).as("the next eventlog event").isInstanceOf(Seen.class);
            return (Seen) o;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void anEventlogIsReadAndWatchedFromAnyIndexOneEventAtATime(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            String log = "jobs.1.eventlog";
            Eventlog.append(ns, log, new Eventlog.Event(1552593348.073045, "submit", "{\"userid\": 5588, \"flags\": 0}"));
            ns.commit(Eventlog.append(Eventlog.append(new Txn(), log, Eventlog.Event.now("alloc")), log,
                    Eventlog.Event.now("start", "{\"ranks\":\"0-3\"}")));

            List<Eventlog.Event> all = Eventlog.read(ns.latest(), log);
            assertThat(all).extracting(Eventlog.Event::name).containsExactly("submit", "alloc", "start");
            assertThat(all.get(0).timestamp()).isEqualTo(1552593348.073045);
            assertThat(all.get(0).context()).as("stored compactly").isEqualTo("{\"userid\":5588,\"flags\":0}");
            assertThat(all.get(0).toText()).isEqualTo("1552593348.073045 submit userid=5588 flags=0");
            assertThat(text(ns.get(log)).split("\n")[0])
                    .isEqualTo("{\"timestamp\":1552593348.073045,\"name\":\"submit\",\"context\":{\"userid\":5588,\"flags\":0}}");
            assertThat(Eventlog.read(ns.latest(), "no.such.log")).isNull();

            LogEvents events = new LogEvents();
            Watch watch = Eventlog.watch(ns, log, 1, events);
            long finish = Eventlog.append(ns, log, Eventlog.Event.now("finish", "{\"status\":0}"));

            assertThat(events.event().index()).as("from index 1").isEqualTo(1);
            assertThat(events.event().event().name()).isEqualTo("start");
            LogEvents.Seen last = events.event();
            assertThat(last.index()).isEqualTo(3);
            assertThat(last.version()).isEqualTo(finish);
            assertThat(last.event().context()).isEqualTo("{\"status\":0}");
            watch.cancel();
            assertThat(((WatchEvent.Ended) events.next()).reason()).isEqualTo(WatchEvent.Reason.CANCELLED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void waitEventFindsAnEventThereOrAppendedLaterAndOtherwiseTimesOut(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            String log = "exec.eventlog";
            Eventlog.append(ns, log, Eventlog.Event.now("init"));

            assertThat(Eventlog.waitFor(ns, log, "init", Duration.ofSeconds(10)).name()).isEqualTo("init");
            // Whether the waiter's watch starts before or after the append, it reads the log from its start.
            CompletableFuture<Eventlog.Event> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return Eventlog.waitFor(ns, log, "done", Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Eventlog.append(ns, log, Eventlog.Event.now("running"));
            Eventlog.append(ns, log, Eventlog.Event.now("done", "{\"rc\":0}"));
            assertThat(waiting.get(20, TimeUnit.SECONDS).context()).isEqualTo("{\"rc\":0}");
            assertThat(Eventlog.waitFor(ns, log, "never", Duration.ofMillis(100))).as("a timeout").isNull();
            Eventlog.append(ns, "waited.for.log", Eventlog.Event.now("first"));
            assertThat(Eventlog.waitFor(ns, "waited.for.log", "first", Duration.ofSeconds(10))).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void anEventlogWatchEndsWhenTheLogIsReplacedOrHoldsSomethingElse(Backend backend) throws Exception {
        try (KvsStore store = backend.open()) {
            Namespace ns = store.primary();
            Eventlog.append(ns, "log", Eventlog.Event.now("a"));
            LogEvents events = new LogEvents();
            Eventlog.watch(ns, "log", 0, events);
            assertThat(events.event().event().name()).isEqualTo("a");
            long replaced = ns.put("log", "");
            WatchEvent.Ended end = (WatchEvent.Ended) events.next();
            assertThat(end.reason()).as("an eventlog only grows by appends").isEqualTo(WatchEvent.Reason.REPLACED);
            assertThat(end.version()).isEqualTo(replaced);

            Eventlog.append(ns, "bad", Eventlog.Event.now("fine"));
            ns.append("bad", "not an event\n");
            LogEvents broken = new LogEvents();
            Eventlog.watch(ns, "bad", 0, broken);
            assertThat(broken.event().event().name()).isEqualTo("fine");
            assertThat(broken.next()).isInstanceOfSatisfying(KvsException.class,
                    e -> assertThat(e).hasMessageContaining("event 1 of eventlog 'bad' is malformed"));
            assertThatThrownBy(() -> Eventlog.read(ns.latest(), "bad")).isInstanceOf(KvsException.class)
                    .hasMessageContaining("malformed");
            assertThatThrownBy(() -> Eventlog.Event.now("x", "[1, 2]")).isInstanceOf(KvsException.class)
                    .hasMessageContaining("JSON object");
        }
    }
}
