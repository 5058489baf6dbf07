package dev.weft.cluster;

import dev.weft.runtime.Inbox;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of one runtime: it takes the streams other runtimes open to this runtime's
 * registered inboxes, one {@link InboundLink} per stream. Its callbacks run on gRPC's event loop and
 * never block; each accepted stream gets a virtual thread that delivers into the inbox.
 */
final class LinkServer implements AutoCloseable {
    /** An inbox served to other runtimes, with the codec that decodes its messages. */
    record Served<T>(Inbox<T> inbox, Codec<T> codec, Set<InboundLink> links) {
    }

    private final Map<String, Served<?>> served = new ConcurrentHashMap<>();
    private final String runtime;
    private volatile long incarnation;
    private final int window;
    private final Server server;

    LinkServer(String host, int port, String runtime, long incarnation, int window, LinkTls tls) throws IOException {
        this.runtime = runtime;
        this.incarnation = incarnation;
        this.window = window;
        ServerServiceDefinition link = ServerServiceDefinition.builder("weft.cluster.Link")
                .addMethod(Wire.OPEN, (call, headers) -> new InboundLink(call, this).start())
                .build();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .directExecutor()
                .addService(link);
        if (tls != null) {
            builder.sslContext(GrpcSslContexts.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .trustManager(tls.trusted().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .build());
        }
        this.server = builder.build().start();
    }

    int port() {
        return server.getPort();
    }

    String runtime() {
        return runtime;
    }

    long incarnation() {
        return incarnation;
    }

    /** Serves new links under {@code incarnation} from now on: the runtime took a new lease. */
    void incarnation(long incarnation) {
        this.incarnation = incarnation;
    }

    int window() {
        return window;
    }

    <T> void serve(String service, Inbox<T> inbox, Codec<T> codec) {
        served.put(service, new Served<>(inbox, codec, ConcurrentHashMap.newKeySet()));
    }

    /** Stops serving {@code inbox} as {@code service} and closes the streams to it: their senders hear at once. */
    void unserve(String service, Inbox<?> inbox) {
        Served<?> gone = served.get(service);
        if (gone != null && gone.inbox() == inbox && served.remove(service, gone)) {
            gone.links().forEach(l -> l.receiverEnded(service));
        }
    }

    Served<?> find(String service) {
        return served.get(service);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
