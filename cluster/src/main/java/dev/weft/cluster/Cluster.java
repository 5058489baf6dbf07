package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Outbox;
import dev.weft.runtime.RegistryBackend;
import dev.weft.runtime.ServiceEvent;
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
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One runtime's membership in a cluster of runtimes. Joining installs the cluster as the backend of
 * the runtime's {@link dev.weft.runtime.ServiceRegistry}: from then on the registry's ordinary calls
 * reach every runtime, for the keys {@linkplain #share shared} with a codec. A service found in
 * another runtime is a {@link Sink} whose messages travel over a gRPC stream.
 *
 * <pre>{@code
 * try (Weft weft = Weft.start();
 *      Cluster cluster = Cluster.join(weft, ClusterOptions.of("node-a", "http://127.0.0.1:2379"))) {
 *     cluster.share(CHAT, Codec.strings());           // on every runtime that uses CHAT
 *     weft.services().register(CHAT, room.in);        // node A: published to the cluster
 *     Sink<String> chat = weft.services().lookup(CHAT); // any node: a link to A's inbox
 *     chat.send("hello");
 * }
 * }</pre>
 *
 * <p>The runtime holds one etcd lease, kept alive while it runs; every key it writes is bound to
 * it, so a runtime that dies without a word leaves the registry when its lease expires (at most the
 * lease TTL later). The lease's id is the runtime's <em>incarnation</em>: a restarted runtime has a
 * new one, and a link or watch meant for the old one never reaches the new one. A runtime whose
 * lease was lost while it lived (a partition or pause longer than the TTL) takes a new lease, so a
 * new incarnation, and puts its services back.
 */
public final class Cluster implements AutoCloseable {
    /*
     * Keys, under the prefix P:
     *   P runtimes/<name>    "<incarnation hex>\t<host>:<port>", bound to the lease
     *   P services/<service> a RemoteAddress, or a start claim "starting\t<runtime>\t<incarnation>",
     *                        bound to the lease of the runtime that wrote it
     * registered (the registry's hook): a transaction "if create_revision(service key) == 0 then
     *   put" - the key is free, so exactly one provider in the cluster wins; the others see "already
     *   provided". `published` remembers what this runtime wrote (inbox, codec, mod revision).
     * lookupOrStart: read; if there is an address, use it; if a claim, wait on the key; if nothing,
     *   claim the key with the same create-revision compare (etcd's election idiom); the winner starts
     *   the provider through the registry, whose `registered` hook finds the claim in `claims` and
     *   replaces it with the address (compare: the claim's mod revision); the losers wait for the key
     *   to change, from the revision they read + 1. A winner that crashes mid-start takes its claim
     *   away with its lease, and the waiters try again.
     * unregistered (the registry's hook, a provider ended or left): delete the key at once, if it
     *   still holds this provider's write (compare: its mod revision); asynchronous, never blocks.
     * Lease lost (the keepalive stream reports the lease gone): on a virtual thread, grant a new
     *   lease, serve links under the new incarnation, put P runtimes/<name> back and every entry of
     *   `published` with the create-revision compare; a name taken meanwhile by another runtime is
     *   given up here (unregistered locally, logged).
     */
    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());
    private static final long CALL_SECONDS = 10;
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final String CLAIM = "starting";

    /** A provider this runtime published, and the mod revision of its key. */
    private record Published(ServiceKey<?> key, Inbox<?> inbox, Codec<?> codec, long revision) {
    }

    private final Weft weft;
    private final ClusterOptions options;
    private final Client client;
    private final LinkServer server;
    private final SslContext tls; // for the links this runtime opens; null: plaintext
    private final Backend backend = new Backend();
    private final Map<String, Codec<?>> codecs = new ConcurrentHashMap<>();
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    private final Map<String, Long> claims = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<RemoteAddress, RemoteSink<?>> links = new ConcurrentHashMap<>();
    private final Set<RemoteSink<?>> sinks = ConcurrentHashMap.newKeySet();
    private final Set<KeyWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile long lease;
    private volatile CloseableClient keepAlive;
    private volatile boolean closed;

    private Cluster(Weft weft, ClusterOptions options, Client client, long lease, LinkServer server,
                    SslContext tls) {
        this.tls = tls;
        this.weft = weft;
        this.options = options;
        this.client = client;
        this.lease = lease;
        this.server = server;
    }

    /**
     * Joins the cluster: takes a lease, keeps it alive, starts serving links, publishes this
     * runtime under its name and installs the cluster as the backend of {@code weft}'s registry.
     *
     * @throws IOException if etcd cannot be reached or the link port cannot be bound
     * @throws IllegalStateException if {@code weft}'s registry has a backend already
     */
    public static Cluster join(Weft weft, ClusterOptions options) throws IOException {
        Objects.requireNonNull(weft, "weft");
        Client client = Client.builder().endpoints(options.endpoints().toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(CALL_SECONDS)).build();
        LinkServer server = null;
        Cluster cluster = null;
        try {
            long lease = client.getLeaseClient().grant(options.leaseTtl().toSeconds()).get(CALL_SECONDS, TimeUnit.SECONDS)
                    .getID();
            server = new LinkServer(options.host(), options.port(), options.runtime(), lease, options.window(),
                    options.tls());
            cluster = new Cluster(weft, options, client, lease, server, clientTls(options.tls()));
            cluster.keepAlive = client.getLeaseClient().keepAlive(lease, cluster.new LeaseKeeper(lease));
            cluster.putRuntime(lease);
            weft.services().install(cluster.backend);
            return cluster;
        } catch (IOException | RuntimeException e) {
            abandon(cluster, server, client);
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            abandon(cluster, server, client);
            throw new IOException("cannot join the cluster at " + options.endpoints() + " as " + options.runtime()
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            abandon(cluster, server, client);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while joining the cluster", e);
        }
    }

    /** Returns this runtime's name. */
    public String runtime() {
        return options.runtime();
    }

    /** Returns this runtime's incarnation: its lease id, new on every start and after a lost lease. */
    public long incarnation() {
        return lease;
    }

    /** Returns where this runtime serves links. */
    public InetSocketAddress linkAddress() {
        return new InetSocketAddress(options.host(), server.port());
    }

    /**
     * Shares the services named by {@code key} with the other runtimes, their messages encoded by
     * {@code codec}; call it on every runtime that uses the key, before using it (as Pekko binds a
     * serializer to a message type). From then on {@code weft.services()} publishes this runtime's
     * provider of the key, finds one in any runtime, starts one once across runtimes and watches
     * them all. Keys not shared stay in their runtime (the selector, for one).
     *
     * @throws IllegalArgumentException if the codec's type is not the key's type
     * @throws IllegalStateException if the key is shared already with a codec of another type
     */
    public <T> void share(ServiceKey<T> key, Codec<T> codec) {
        checkCodec(key, codec);
        Codec<?> before = codecs.putIfAbsent(key.name(), codec);
        if (before != null && !before.type().equals(codec.type())) {
            throw new IllegalStateException("service '" + key.name() + "' is shared already with a codec of "
                    + before.type().getName() + ", not " + codec.type().getName());
        }
    }

    /** Returns where the service named by {@code key} lives now, or {@code null} if nowhere. */
    public RemoteAddress locate(ServiceKey<?> key) throws InterruptedException {
        GetResponse got = await(client.getKVClient().get(serviceKey(key)));
        return got.getKvs().isEmpty() ? null : RemoteAddress.decode(text(got.getKvs().getFirst()));
    }

    /** Returns where every service whose name starts with {@code namePrefix} lives now. */
    public List<RemoteAddress> locateAll(String namePrefix) throws InterruptedException {
        GetResponse got = await(client.getKVClient().get(key("services/" + namePrefix),
                GetOption.builder().isPrefix(true).build()));
        return got.getKvs().stream().map(kv -> RemoteAddress.decode(text(kv))).filter(Objects::nonNull).toList();
    }

    /**
     * Opens a new link to the inbox at {@code address}: one gRPC stream of its own, messages encoded
     * by {@code codec}. Returns once the receiver has accepted the link, so the sink takes messages
     * at once. (The registry's lookups share one link per address instead.)
     *
     * @throws LinkBrokenException if the receiver refused the link (another incarnation, no such
     *     service, another protocol version or message type: the message says which) or did not answer
     *     within 10 s
     */
    public <T> Sink<T> connect(RemoteAddress address, Codec<T> codec) throws InterruptedException {
        return open(address, codec, false).awaitOpen(CALL_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Returns a local stand-in for the provider at {@code address}, spawned in this runtime: it ends
     * when that provider goes, so a component that {@code watch}es it gets an ordinary
     * {@link dev.weft.runtime.Terminated}; see {@link RemoteComponent}. If the provider has gone
     * already, the stand-in ends at once.
     */
    public RemoteComponent remote(RemoteAddress address) {
        ensureOpen();
        RemoteComponent standIn = weft.spawn(new RemoteComponent(address));
        String expected = address.encode();
        AtomicBoolean gone = new AtomicBoolean();
        KeyWatch w = new KeyWatch(client, key("services/" + address.service()), value -> {
            if (!expected.equals(value) && gone.compareAndSet(false, true)) {
                Thread.ofVirtual().name("weft-cluster-gone").start(() -> tellGone(standIn, value));
            }
        });
        watches.add(w);
        standIn.termination().thenRun(() -> {
            watches.remove(w);
            w.close();
        });
        w.start();
        return standIn;
    }

    /**
     * Tells {@code watcher}, on its control inbox, the {@link dev.weft.runtime.Terminated} of the
     * provider at {@code address} when it goes: {@link #remote} for a watcher outside whose code the
     * watch is set up. Inside a component, {@code watch(cluster.remote(address))} does the same.
     *
     * @return the stand-in the {@code Terminated} will name
     */
    public RemoteComponent watch(RemoteAddress address, Component watcher) {
        RemoteComponent standIn = remote(address);
        standIn.termination().thenAccept(t -> watcher.control.trySend(t));
        return standIn;
    }

    /**
     * Links {@code from} to {@code to} with {@link Weft#link(Outbox, Sink)}; {@code to} may be a sink
     * in another runtime. If that link breaks, the outbox's owner gets {@link LinkBroken} on its
     * control inbox (while the outbox is still linked to it), and its sends throw
     * {@link LinkBrokenException}.
     */
    public <T> void link(Outbox<T> from, Sink<? super T> to) {
        weft.link(from, to);
        if (to instanceof RemoteSink<?> remote) {
            remote.tellOnBreak(from);
        }
    }

    /**
     * Leaves the cluster: uninstalls the registry backend, ends links and watches, revokes the lease
     * (every key of this runtime goes at once, so watchers elsewhere hear at once) and stops serving
     * links. Services registered here stay in the local registry.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        weft.services().uninstall(backend);
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
        abandon(this, server, client);
    }

    // ---------------------------------------------------------------- the registry backend

    /** The registry's view of the cluster; its calls come from {@code weft.services()}. */
    private final class Backend implements RegistryBackend {
        @Override
        public boolean shares(ServiceKey<?> key) {
            Codec<?> codec = codecs.get(key.name());
            return codec != null && codec.type().equals(key.type()) && !closed;
        }

        @Override
        public <T> void registered(ServiceKey<T> key, Inbox<T> inbox) {
            try {
                publish(key, inbox, codec(key), claims.remove(key.name()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while publishing " + key, e);
            }
        }

        @Override
        public void unregistered(ServiceKey<?> key, Inbox<?> inbox) {
            Published p = published.get(key.name());
            if (p == null || p.inbox() != inbox || !published.remove(key.name(), p)) {
                return;
            }
            server.unserve(key.name(), inbox);
            if (!closed) {
                client.getKVClient().txn()
                        .If(new Cmp(serviceKey(key), Cmp.Op.EQUAL, CmpTarget.modRevision(p.revision())))
                        .Then(Op.delete(serviceKey(key), DeleteOption.DEFAULT)).commit();
            }
        }

        @Override
        public <T> Sink<T> lookup(ServiceKey<T> key) {
            try {
                RemoteAddress at = locate(key);
                return at == null ? null : open(at, codec(key), true).awaitOpen(CALL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while looking up " + key + " in the cluster", e);
            }
        }

        @Override
        public <T> Sink<T> lookupOrStart(ServiceKey<T> key, Starter<T> startHere) throws InterruptedException {
            return startOnce(key, startHere);
        }

        @Override
        public AutoCloseable watch(ServiceKey<?> key, Consumer<ServiceEvent> listener) {
            return follow(key, listener);
        }
    }

    private <T> Sink<T> startOnce(ServiceKey<T> key, RegistryBackend.Starter<T> startHere) throws InterruptedException {
        Codec<T> codec = codec(key);
        ByteSequence k = serviceKey(key);
        while (true) {
            GetResponse got = await(client.getKVClient().get(k));
            if (!got.getKvs().isEmpty()) {
                RemoteAddress found = RemoteAddress.decode(text(got.getKvs().getFirst()));
                if (found != null) {
                    return open(found, codec, true).awaitOpen(CALL_SECONDS, TimeUnit.SECONDS);
                }
                awaitChange(k, got.getHeader().getRevision());
                continue;
            }
            String claim = CLAIM + "\t" + options.runtime() + "\t" + Long.toHexString(lease);
            var won = await(client.getKVClient().txn()
                    .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(k, bytes(claim), PutOption.builder().withLeaseId(lease).build()),
                            Op.get(k, GetOption.DEFAULT))
                    .commit());
            if (!won.isSucceeded()) {
                continue;
            }
            long claimRevision = won.getGetResponses().getFirst().getKvs().getFirst().getModRevision();
            claims.put(key.name(), claimRevision);
            try {
                return startHere.start();
            } finally {
                if (claims.remove(key.name(), claimRevision)) { // the start failed, or published nothing
                    client.getKVClient().txn() // not awaited: the caller gets the start's own outcome
                            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(claimRevision)))
                            .Then(Op.delete(k, DeleteOption.DEFAULT)).commit();
                }
            }
        }
    }

    /** Tells {@code listener} Up and Down as {@code key}'s value in etcd names a provider or none. */
    private AutoCloseable follow(ServiceKey<?> key, Consumer<ServiceEvent> listener) {
        Codec<?> codec = codec(key);
        RemoteAddress[] current = new RemoteAddress[1]; // touched only by the KeyWatch's ordered calls
        KeyWatch w = new KeyWatch(client, serviceKey(key), value -> {
            RemoteAddress now = value == null ? null : RemoteAddress.decode(value);
            if (Objects.equals(now, current[0])) {
                return;
            }
            if (current[0] != null) {
                listener.accept(new ServiceEvent.Down(key));
            }
            current[0] = now;
            if (now != null) {
                listener.accept(up(key, now, codec));
            }
        });
        watches.add(w);
        w.start();
        return () -> {
            watches.remove(w);
            w.close();
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the codec was shared for this key, of its type
    private ServiceEvent.Up<?> up(ServiceKey<?> key, RemoteAddress at, Codec<?> codec) {
        LinkServer.Served<?> mine = isMine(at) ? server.find(key.name()) : null; // served before it is put
        Sink<?> sink = mine != null ? mine.inbox() : open(at, codec, true);
        return new ServiceEvent.Up(key, sink);
    }

    private boolean isMine(RemoteAddress at) {
        return at.runtime().equals(options.runtime()) && at.incarnation() == lease;
    }

    /**
     * Returns a link to {@code address}, its handshake under way: a new one, or with {@code shared}
     * the registry's link to that address (one per address, shared by all who look it up, as a local
     * inbox is), unless that one is broken.
     */
    @SuppressWarnings("unchecked") // a shared link to an address always carries that address's type
    private <T> RemoteSink<T> open(RemoteAddress address, Codec<T> codec, boolean shared) {
        ensureOpen();
        if (!address.type().equals(codec.type().getName())) {
            throw new IllegalArgumentException("service '" + address.service() + "' takes " + address.type()
                    + ", the codec encodes " + codec.type().getName());
        }
        if (shared) {
            return (RemoteSink<T>) links.compute(address,
                    (a, old) -> old != null && !old.isBroken() ? old : newLink(a, codec, true));
        }
        return newLink(address, codec, false);
    }

    private <T> RemoteSink<T> newLink(RemoteAddress address, Codec<T> codec, boolean shared) {
        ManagedChannel channel = channels.computeIfAbsent(address.host() + ":" + address.port(),
                hp -> {
                    NettyChannelBuilder b = NettyChannelBuilder.forAddress(address.host(), address.port()).directExecutor();
                    return (tls == null ? b.usePlaintext() : b.sslContext(tls)).build();
                });
        RemoteSink<T>[] made = new RemoteSink[1];
        made[0] = new RemoteSink<>(channel, address, codec, options.runtime(), broken -> {
            sinks.remove(made[0]);
            if (shared) {
                links.remove(address, made[0]);
            }
        });
        sinks.add(made[0]);
        return made[0];
    }

    /** Ends {@code standIn}: finished if its provider's runtime still holds the same lease, stopped if not. */
    private void tellGone(RemoteComponent standIn, String value) {
        RemoteAddress was = standIn.address();
        String now = value == null ? "its key was deleted"
                : "its key now names " + value.replace('\t', ' ');
        boolean runtimeLives;
        try {
            GetResponse got = await(client.getKVClient().get(key("runtimes/" + was.runtime())));
            runtimeLives = !got.getKvs().isEmpty()
                    && text(got.getKvs().getFirst()).startsWith(Long.toHexString(was.incarnation()) + "\t");
        } catch (InterruptedException | RuntimeException e) {
            runtimeLives = false;
        }
        if (runtimeLives) {
            standIn.ended(now + ": the provider ended");
        } else {
            standIn.lost(now + ": runtime " + was.runtime() + " incarnation " + Long.toHexString(was.incarnation())
                    + " is gone (its lease expired or was revoked)");
        }
    }

    private <T> void publish(ServiceKey<T> key, Inbox<T> inbox, Codec<T> codec, Long claimRevision)
            throws InterruptedException {
        server.serve(key.name(), inbox, codec);
        CmpTarget<?> free = claimRevision == null ? CmpTarget.createRevision(0) : CmpTarget.modRevision(claimRevision);
        long written;
        try {
            written = put(key, inbox, free, lease);
        } catch (IllegalStateException | ClusterException | InterruptedException e) {
            server.unserve(key.name(), inbox);
            throw e;
        }
        published.put(key.name(), new Published(key, inbox, codec, written));
    }

    /** Puts {@code inbox}'s address under {@code key} if {@code free} holds; returns the key's mod revision. */
    private long put(ServiceKey<?> key, Inbox<?> inbox, CmpTarget<?> free, long withLease) throws InterruptedException {
        ByteSequence k = serviceKey(key);
        var put = await(client.getKVClient().txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, free))
                .Then(Op.put(k, bytes(address(key, inbox, withLease).encode()),
                                PutOption.builder().withLeaseId(withLease).build()),
                        Op.get(k, GetOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit());
        if (!put.isSucceeded()) {
            var kvs = put.getGetResponses().getFirst().getKvs();
            throw new IllegalStateException("service '" + key.name() + "' is already provided in the cluster by "
                    + (kvs.isEmpty() ? "another runtime" : text(kvs.getFirst()).replace('\t', ' ')));
        }
        return put.getGetResponses().getFirst().getKvs().getFirst().getModRevision();
    }

    private void putRuntime(long withLease) throws InterruptedException {
        await(client.getKVClient().put(key("runtimes/" + options.runtime()),
                bytes(Long.toHexString(withLease) + "\t" + options.host() + ":" + server.port()),
                PutOption.builder().withLeaseId(withLease).build()));
    }

    private RemoteAddress address(ServiceKey<?> key, Inbox<?> inbox, long incarnation) {
        return new RemoteAddress(key.name(), options.runtime(), incarnation, options.host(), server.port(),
                inbox.ownerName(), inbox.name(), key.type().getName());
    }

    /** The client side of the links' mutual TLS, or {@code null} for plaintext. */
    private static SslContext clientTls(LinkTls tls) throws IOException {
        if (tls == null) {
            return null;
        }
        return GrpcSslContexts.forClient().trustManager(tls.trusted().toFile())
                .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile()).build();
    }

    // ---------------------------------------------------------------- a lost lease

    /** Called when the keepalive stream of {@code lost} ends: takes a new lease unless closed or renewed already. */
    private void leaseLost(long lost) {
        if (closed || lost != lease || !renewing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("weft-cluster-renew").start(() -> {
            try {
                while (!closed && lost == lease) {
                    try {
                        renew();
                    } catch (RuntimeException | ExecutionException | TimeoutException e) {
                        LOG.log(System.Logger.Level.WARNING, "runtime " + options.runtime()
                                + " cannot take a new lease yet; trying again", e);
                        Thread.sleep(RETRY); // a back-off between tries, not synchronisation
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                renewing.set(false);
            }
        });
    }

    /** Takes a new lease and puts this runtime and its services back under it. */
    private void renew() throws InterruptedException, ExecutionException, TimeoutException {
        long fresh = client.getLeaseClient().grant(options.leaseTtl().toSeconds()).get(CALL_SECONDS, TimeUnit.SECONDS)
                .getID();
        CloseableClient old = keepAlive;
        keepAlive = client.getLeaseClient().keepAlive(fresh, new LeaseKeeper(fresh));
        old.close();
        server.incarnation(fresh);
        lease = fresh;
        putRuntime(fresh);
        for (Published p : published.values()) {
            try {
                long written = put(p.key(), p.inbox(), CmpTarget.createRevision(0), fresh);
                published.replace(p.key().name(), p, new Published(p.key(), p.inbox(), p.codec(), written));
            } catch (IllegalStateException taken) {
                LOG.log(System.Logger.Level.ERROR, "runtime " + options.runtime() + " lost its lease, and "
                        + taken.getMessage() + " now; its own provider " + p.inbox() + " leaves the registry", taken);
                weft.services().unregister(p.key());
            }
        }
        LOG.log(System.Logger.Level.WARNING, "runtime {0} lost its lease and joined again as incarnation {1}"
                + " with {2} service(s)", options.runtime(), Long.toHexString(fresh), published.size());
    }

    /** Logs the lease's keepalive failures and takes a new lease when this one is gone. */
    private final class LeaseKeeper implements StreamObserver<LeaseKeepAliveResponse> {
        private final long id;

        LeaseKeeper(long id) {
            this.id = id;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse value) {
        }

        @Override
        public void onError(Throwable t) {
            if (closed || id != lease) {
                return;
            }
            LOG.log(System.Logger.Level.ERROR, "the lease of runtime " + options.runtime()
                    + " can no longer be kept alive; taking a new one", t);
            leaseLost(id);
        }

        @Override
        public void onCompleted() {
        }
    }

    // ---------------------------------------------------------------- helpers

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

    @SuppressWarnings("unchecked") // shares() let only keys whose codec has the key's type through
    private <T> Codec<T> codec(ServiceKey<T> key) {
        Codec<?> codec = codecs.get(key.name());
        if (codec == null) {
            throw new IllegalStateException("service '" + key.name() + "' is not shared: call cluster.share(key, codec)");
        }
        return (Codec<T>) codec;
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

    private static void abandon(Cluster cluster, LinkServer server, Client client) {
        if (cluster != null && cluster.keepAlive != null) {
            cluster.keepAlive.close();
        }
        if (server != null) {
            server.close();
        }
        client.close();
    }
}
