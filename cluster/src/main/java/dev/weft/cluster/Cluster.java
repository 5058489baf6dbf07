package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Sink;
import dev.weft.runtime.Weft;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One runtime's membership in a cluster of runtimes: services registered here are found from every
 * runtime through etcd, and a service found in another runtime is a {@link Sink} whose messages
 * travel over a gRPC stream.
 *
 * <pre>{@code
 * try (Weft weft = Weft.start();
 *      Cluster cluster = Cluster.join(weft, ClusterOptions.of("node-a", "http://127.0.0.1:2379"))) {
 *     cluster.register(CHAT, room.in, Codec.strings());           // node A
 *     Sink<String> chat = cluster.lookup(CHAT, Codec.strings());  // any node
 *     chat.send("hello");
 * }
 * }</pre>
 *
 * <p>The runtime holds one etcd lease, kept alive while it runs; every key it writes is bound to
 * it, so a runtime that dies without a word leaves the registry when its lease expires (at most the
 * lease TTL later). The lease's id is the runtime's <em>incarnation</em>: a restarted runtime has a
 * new one, and a link or watch meant for the old one never reaches the new one.
 */
public final class Cluster implements AutoCloseable {
    /*
     * Keys, under the prefix P:
     *   P runtimes/<name>    "<incarnation hex>\t<host>:<port>", bound to the lease
     *   P services/<service> a RemoteAddress, or a start claim "starting\t<runtime>\t<incarnation>",
     *                        bound to the lease of the runtime that wrote it
     * register: a transaction "if create_revision(service key) == 0 then put" - the key is free, so
     *   exactly one provider in the cluster wins; the others see "already provided".
     * lookupOrStart: read; if there is an address, use it; if a claim, wait on the key; if nothing,
     *   claim the key with the same create-revision compare (etcd's election idiom); the winner starts
     *   the provider and replaces its claim with the address (compare: the claim's mod revision); the
     *   losers wait for the key to change, from the revision they read + 1. A winner that crashes
     *   mid-start takes its claim away with its lease, and the waiters try again.
     * A provider's end deletes its key at once (compare: the key still holds this provider's write).
     */
    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());
    private static final long CALL_SECONDS = 10;
    private static final String CLAIM = "starting";

    private final Weft weft;
    private final ClusterOptions options;
    private final Client client;
    private final long lease;
    private final CloseableClient keepAlive;
    private final LinkServer server;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Set<RemoteSink<?>> sinks = ConcurrentHashMap.newKeySet();
    private final Set<KeyWatch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Cluster(Weft weft, ClusterOptions options, Client client, long lease, CloseableClient keepAlive,
                    LinkServer server) {
        this.weft = weft;
        this.options = options;
        this.client = client;
        this.lease = lease;
        this.keepAlive = keepAlive;
        this.server = server;
    }

    /**
     * Joins the cluster: takes a lease, keeps it alive, starts serving links and publishes this
     * runtime under its name.
     *
     * @throws IOException if etcd cannot be reached or the link port cannot be bound
     */
    public static Cluster join(Weft weft, ClusterOptions options) throws IOException {
        Objects.requireNonNull(weft, "weft");
        Client client = Client.builder().endpoints(options.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(CALL_SECONDS)).build();
        long lease;
        CloseableClient keepAlive = null;
        LinkServer server = null;
        try {
            lease = client.getLeaseClient().grant(options.leaseTtl().toSeconds()).get(CALL_SECONDS, TimeUnit.SECONDS)
                    .getID();
            keepAlive = client.getLeaseClient().keepAlive(lease, new KeepAliveLog(options.runtime()));
            server = new LinkServer(options.host(), options.port(), options.runtime(), lease, options.window());
            Cluster cluster = new Cluster(weft, options, client, lease, keepAlive, server);
            cluster.await(client.getKVClient().put(cluster.key("runtimes/" + options.runtime()),
                    bytes(Long.toHexString(lease) + "\t" + options.host() + ":" + server.port()),
                    PutOption.builder().withLeaseId(lease).build()));
            return cluster;
        } catch (IOException | RuntimeException e) {
            close(keepAlive, server, client);
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            close(keepAlive, server, client);
            throw new IOException("cannot join the cluster at " + options.endpoints() + " as " + options.runtime()
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            close(keepAlive, server, client);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while joining the cluster", e);
        }
    }

    /** Returns this runtime's name. */
    public String runtime() {
        return options.runtime();
    }

    /** Returns this runtime's incarnation: its lease id, new on every start. */
    public long incarnation() {
        return lease;
    }

    /** Returns where this runtime serves links. */
    public InetSocketAddress linkAddress() {
        return new InetSocketAddress(options.host(), server.port());
    }

    /**
     * Registers {@code inbox} as the service named by {@code key}, in this runtime's
     * {@link dev.weft.runtime.ServiceRegistry} and in the cluster. The registration ends when the
     * inbox's owner ends (the key is deleted at once) or when this runtime's lease expires.
     *
     * @throws IllegalStateException if another provider, here or in another runtime, has the name
     * @throws IllegalArgumentException if the codec's type is not the key's type
     */
    public <T> RemoteAddress register(ServiceKey<T> key, Inbox<T> inbox, Codec<T> codec) throws InterruptedException {
        checkCodec(key, codec);
        weft.services().register(key, inbox);
        try {
            publish(key, inbox, codec, null);
            return address(key, inbox);
        } catch (RuntimeException | InterruptedException e) {
            weft.services().unregister(key);
            throw e;
        }
    }

    /**
     * Returns the service named by {@code key}: this runtime's inbox if it provides it, otherwise a
     * sink on a new link (one gRPC stream) to the runtime that does, or {@code null} if no runtime
     * does. Keep the sink: each lookup of a remote service opens a new link.
     */
    public <T> Sink<T> lookup(ServiceKey<T> key, Codec<T> codec) throws InterruptedException {
        checkCodec(key, codec);
        Sink<T> local = weft.services().lookup(key);
        if (local != null) {
            return local;
        }
        RemoteAddress address = locate(key);
        return address == null ? null : connect(address, codec);
    }

    /** Returns where the service named by {@code key} lives now, or {@code null} if nowhere. */
    public RemoteAddress locate(ServiceKey<?> key) throws InterruptedException {
        GetResponse got = await(client.getKVClient().get(serviceKey(key)));
        return got.getKvs().isEmpty() ? null : RemoteAddress.decode(text(got.getKvs().getFirst()));
    }

    /** Returns where every service whose name starts with {@code namePrefix} lives now, by name. */
    public java.util.List<RemoteAddress> locateAll(String namePrefix) throws InterruptedException {
        ByteSequence from = key("services/" + namePrefix);
        GetResponse got = await(client.getKVClient().get(from,
                io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()));
        return got.getKvs().stream().map(kv -> RemoteAddress.decode(text(kv))).filter(Objects::nonNull).toList();
    }

    /**
     * Opens a link to the inbox at {@code address}: one gRPC stream, messages encoded by
     * {@code codec}. Returns once the receiver has accepted the link, so the sink takes messages at
     * once.
     *
     * @throws LinkBrokenException if the receiver refused the link (another incarnation, no such
     *     service, another protocol version or message type: the message says which) or did not answer
     *     within 10 s
     */
    public <T> Sink<T> connect(RemoteAddress address, Codec<T> codec) throws InterruptedException {
        ensureOpen();
        if (!address.type().equals(codec.type().getName())) {
            throw new IllegalArgumentException("service '" + address.service() + "' takes " + address.type()
                    + ", the codec encodes " + codec.type().getName());
        }
        ManagedChannel channel = channels.computeIfAbsent(address.host() + ":" + address.port(),
                hp -> NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().directExecutor()
                        .build());
        RemoteSink<T>[] made = new RemoteSink[1];
        made[0] = new RemoteSink<>(channel, address, codec, options.runtime(), broken -> sinks.remove(made[0]));
        sinks.add(made[0]);
        return made[0].awaitOpen(CALL_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Returns the service named by {@code key}, starting it in this runtime if no runtime provides
     * it. However many runtimes race, {@code starter} runs in exactly one of them; the others get a
     * link to it.
     *
     * @throws ClusterException if the starter failed here (its cause) or returned no inbox; the
     *     claim is withdrawn, so the next call (here or elsewhere) tries again
     */
    public <T> Sink<T> lookupOrStart(ServiceKey<T> key, Codec<T> codec, Function<Weft, Inbox<T>> starter)
            throws InterruptedException {
        checkCodec(key, codec);
        ByteSequence k = serviceKey(key);
        while (true) {
            Sink<T> local = weft.services().lookup(key);
            if (local != null) {
                return local;
            }
            GetResponse got = await(client.getKVClient().get(k));
            if (!got.getKvs().isEmpty()) {
                RemoteAddress found = RemoteAddress.decode(text(got.getKvs().getFirst()));
                if (found != null) {
                    return connect(found, codec);
                }
                awaitChange(k, got.getHeader().getRevision());
                continue;
            }
            String claim = CLAIM + "\t" + options.runtime() + "\t" + Long.toHexString(lease);
            var won = await(client.getKVClient().txn()
                    .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(k, bytes(claim), PutOption.builder().withLeaseId(lease).build()),
                            Op.get(k, io.etcd.jetcd.options.GetOption.DEFAULT))
                    .commit());
            if (!won.isSucceeded()) {
                continue;
            }
            long claimRevision = won.getGetResponses().getFirst().getKvs().getFirst().getModRevision();
            Inbox<T> started;
            try {
                started = Objects.requireNonNull(starter.apply(weft), "the starter returned no inbox");
                weft.services().register(key, started);
            } catch (RuntimeException e) {
                await(client.getKVClient().txn()
                        .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(claimRevision)))
                        .Then(Op.delete(k, DeleteOption.DEFAULT)).commit());
                throw new ClusterException("starting service " + key + " failed: " + e.getMessage(), e);
            }
            publish(key, started, codec, claimRevision);
            return started;
        }
    }

    /**
     * Tells {@code watcher}, on its control inbox, {@link RemoteTerminated} when the service at
     * {@code address} goes: its provider ends, its runtime's lease expires, or another provider
     * replaced it. If it has gone already, the message comes at once.
     *
     * @return a handle that ends the watch when closed
     */
    public AutoCloseable watch(RemoteAddress address, Component watcher) {
        ensureOpen();
        String expected = address.encode();
        KeyWatch[] made = new KeyWatch[1];
        made[0] = new KeyWatch(client, key("services/" + address.service()), kv -> text(kv).equals(expected),
                why -> {
                    watches.remove(made[0]);
                    watcher.control.trySend(new RemoteTerminated(address, why));
                });
        watches.add(made[0]);
        made[0].start();
        return made[0];
    }

    /**
     * Links {@code from} to {@code to}, which may be a sink in another runtime. A remote sink is
     * driven by a small forwarding component; if the link breaks, the outbox's owner gets
     * {@link LinkBroken} on its control inbox.
     */
    public <T> void link(Outbox<T> from, Sink<T> to) {
        if (to instanceof Inbox<T> inbox) {
            weft.link(from, inbox);
            return;
        }
        Forwarder<T> forwarder = weft.spawn(new Forwarder<>(from.owner().name() + "." + from.name() + "->remote",
                from.type(), to));
        if (to instanceof RemoteSink<T> remote) {
            remote.whenBroken(broken -> {
                from.owner().control.trySend(broken);
                forwarder.shutdown();
            });
            forwarder.termination().thenRun(remote::close);
        }
        weft.link(from, forwarder.in);
    }

    /**
     * Leaves the cluster: ends links and watches, revokes the lease (every key of this runtime goes
     * at once, so watchers elsewhere hear at once) and stops serving links.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sinks.forEach(RemoteSink::close);
        watches.forEach(KeyWatch::close);
        try {
            client.getLeaseClient().revoke(lease).get(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "revoking the lease of " + options.runtime()
                    + " failed; its keys go when it expires", e);
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
        close(keepAlive, server, client);
    }

    private <T> void publish(ServiceKey<T> key, Inbox<T> inbox, Codec<T> codec, Long claimRevision)
            throws InterruptedException {
        ByteSequence k = serviceKey(key);
        RemoteAddress address = address(key, inbox);
        server.serve(key.name(), inbox, codec);
        CmpTarget<?> free = claimRevision == null ? CmpTarget.createRevision(0) : CmpTarget.modRevision(claimRevision);
        var put = await(client.getKVClient().txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, free))
                .Then(Op.put(k, bytes(address.encode()), PutOption.builder().withLeaseId(lease).build()),
                        Op.get(k, io.etcd.jetcd.options.GetOption.DEFAULT))
                .Else(Op.get(k, io.etcd.jetcd.options.GetOption.DEFAULT))
                .commit());
        if (!put.isSucceeded()) {
            server.unserve(key.name(), inbox);
            var kvs = put.getGetResponses().getFirst().getKvs();
            throw new IllegalStateException("service '" + key.name() + "' is already provided in the cluster by "
                    + (kvs.isEmpty() ? "another runtime" : text(kvs.getFirst()).replace('\t', ' ')));
        }
        long written = put.getGetResponses().getFirst().getKvs().getFirst().getModRevision();
        inbox.owner().termination().whenComplete((t, e) -> {
            server.unserve(key.name(), inbox);
            if (!closed) {
                client.getKVClient().txn()
                        .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(written)))
                        .Then(Op.delete(k, DeleteOption.DEFAULT)).commit();
            }
        });
    }

    private RemoteAddress address(ServiceKey<?> key, Inbox<?> inbox) {
        return new RemoteAddress(key.name(), options.runtime(), lease, options.host(), server.port(),
                inbox.owner().name(), inbox.name(), key.type().getName());
    }

    /** Waits until {@code key} changes after {@code revision}, or a while passes (the caller reads again). */
    private void awaitChange(ByteSequence key, long revision) throws InterruptedException {
        CompletableFuture<Void> changed = new CompletableFuture<>();
        try (var w = client.getWatchClient().watch(key, WatchOption.builder().withRevision(revision + 1).build(),
                io.etcd.jetcd.Watch.listener(r -> changed.complete(null), changed::completeExceptionally))) {
            changed.get(options.leaseTtl().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "waiting on {0}: {1}; reading again", key, e);
        }
    }

    private static void checkCodec(ServiceKey<?> key, Codec<?> codec) {
        if (!codec.type().equals(key.type())) {
            throw new IllegalArgumentException("the codec for " + key + " encodes " + codec.type().getName()
                    + ", not " + key.type().getName());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the cluster membership of " + options.runtime() + " is closed");
        }
    }

    private ByteSequence serviceKey(ServiceKey<?> key) {
        return key("services/" + key.name());
    }

    private ByteSequence key(String suffix) {
        return bytes(options.prefix() + suffix);
    }

    private <R> R await(CompletableFuture<R> call) throws InterruptedException {
        try {
            return call.get(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ClusterException("etcd at " + options.endpoints() + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new ClusterException("etcd at " + options.endpoints() + " gave no answer in " + CALL_SECONDS
                    + " s (the outcome is unknown)", e);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String text(KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }

    private static void close(CloseableClient keepAlive, LinkServer server, Client client) {
        if (keepAlive != null) {
            keepAlive.close();
        }
        if (server != null) {
            server.close();
        }
        client.close();
    }

    /** Logs the lease's keepalive failures: after one, the runtime's keys expire with the lease. */
    private record KeepAliveLog(String runtime) implements StreamObserver<LeaseKeepAliveResponse> {
        @Override
        public void onNext(LeaseKeepAliveResponse value) {
        }

        @Override
        public void onError(Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "the lease of runtime " + runtime
                    + " can no longer be kept alive; its services leave the cluster when it expires", t);
        }

        @Override
        public void onCompleted() {
        }
    }
}
