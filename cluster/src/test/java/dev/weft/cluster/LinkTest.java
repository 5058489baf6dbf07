package dev.weft.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.SendTimeoutException;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Sink;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Links between two runtimes (two Wefts with their own leases and link servers in this JVM). */
class LinkTest {
    /** Messages over one link; the cluster-soak profile sends more (docs/cluster.md). */
    private static final long MESSAGES = Long.getLong("weft.cluster.messages", 1_000_000);
    private static final int WINDOW = 64;
    private static final int INBOX = 16;
    private static final long WATCHDOG_SECONDS = Long.getLong("weft.cluster.watchdogSeconds", 120);

    private static ClusterEtcd etcd;
    private static ClusterEtcd.Node a;
    private static ClusterEtcd.Node b;

    @BeforeAll
    static void start() throws Exception {
        etcd = new ClusterEtcd();
        a = etcd.node("a", WINDOW);
        b = etcd.node("b", WINDOW);
    }

    @AfterAll
    static void stop() throws Exception {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aMillionMessagesArriveExactlyOnceAndInOrderOverOneLink() throws Exception {
        ServiceKey<String> key = ServiceKey.of("count-" + System.nanoTime(), String.class);
        Receivers.Counter counter = b.weft().spawn(new Receivers.Counter("counter"));
        b.cluster().register(key, counter.in, Codec.strings());

        Sink<String> remote = a.cluster().lookup(key, Codec.strings());
        assertThat(remote).as("a finds b's service as a remote sink").isInstanceOf(RemoteSink.class);
        for (long i = 0; i < MESSAGES; i++) {
            remote.send(Long.toString(i));
        }
        remote.send("end");

        assertThat(counter.done.await(WATCHDOG_SECONDS, TimeUnit.SECONDS))
                .as("all messages arrived (got %d)", counter.count).isTrue();
        assertThat(counter.firstDisorder).as("none lost, repeated or reordered").isNull();
        assertThat(counter.count).isEqualTo(MESSAGES);
        counter.shutdown();
    }

    @Test
    void aReceiverThatNeverReadsParksTheSenderWithAtMostAWindowInFlight() throws Exception {
        ServiceKey<String> key = ServiceKey.of("stuck-" + System.nanoTime(), String.class);
        Receivers.Collector stuck = b.weft().spawn(new Receivers.Collector("stuck", INBOX, false));
        b.cluster().register(key, stuck.in, Codec.strings());
        RemoteSink<String> remote = (RemoteSink<String>) a.cluster().lookup(key, Codec.strings());

        // when: the sender sends until the link takes no more
        long accepted = 0;
        while (true) {
            try {
                remote.send("m" + accepted, Duration.ofSeconds(2));
                accepted++;
            } catch (SendTimeoutException e) {
                break;
            }
            assertThat(accepted).as("the sender must be stopped by a bounded window").isLessThan(10_000);
        }

        // then: in flight at most the inbox, the message the pump holds, the window and one credit batch
        assertThat(accepted).isGreaterThanOrEqualTo(WINDOW)
                .isLessThanOrEqualTo(INBOX + 1 + WINDOW + WINDOW / 2);
        assertThat(remote.trySend("more")).as("no credit: trySend refuses at once").isFalse();

        // and: once the receiver reads, everything accepted arrives, in order
        stuck.open.countDown();
        for (long i = 0; i < accepted; i++) {
            assertThat(stuck.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }
        remote.send("after", Duration.ofSeconds(WATCHDOG_SECONDS));
        assertThat(stuck.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("after");
        stuck.shutdown();
    }

    @Test
    void aLinkToAnEarlierIncarnationIsRefusedWithAClearError() throws Exception {
        ServiceKey<String> key = ServiceKey.of("inc-" + System.nanoTime(), String.class);
        Receivers.Collector c = b.weft().spawn(new Receivers.Collector("inc", INBOX, true));
        RemoteAddress real = b.cluster().register(key, c.in, Codec.strings());
        RemoteAddress previous = new RemoteAddress(real.service(), real.runtime(), real.incarnation() - 1,
                real.host(), real.port(), real.component(), real.inbox(), real.type());

        assertThatThrownBy(() -> a.cluster().connect(previous, Codec.strings()))
                .isInstanceOf(LinkBrokenException.class)
                .hasMessageContaining("incarnation").hasMessageContaining("look the service up again");
        assertThat(c.received).as("nothing reached the new incarnation").isEmpty();
        c.shutdown();
    }

    @Test
    void aBadFrameAShortBatchOrAnotherVersionClosesOnlyThatStreamAndDeliversNothing() throws Exception {
        ServiceKey<String> key = ServiceKey.of("bad-" + System.nanoTime(), String.class);
        Receivers.Collector c = b.weft().spawn(new Receivers.Collector("bad", INBOX, true));
        RemoteAddress at = b.cluster().register(key, c.in, Codec.strings());
        Sink<String> good = a.cluster().lookup(key, Codec.strings());
        good.send("before");
        assertThat(c.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo("before");

        // a DATA frame that announces 5 messages and holds 3
        ByteBuffer shortBatch = ByteBuffer.allocate(1 + 4 + 3 * (4 + 8)).put(Wire.DATA).putInt(5);
        for (int i = 0; i < 3; i++) {
            shortBatch.putInt(8).put(("bad-msg" + i).getBytes(StandardCharsets.UTF_8));
        }
        ManagedChannel raw = NettyChannelBuilder.forAddress(at.host(), at.port()).usePlaintext().build();
        try {
            Status garbage = open(raw, new byte[] {42, 1, 2, 3});
            Status version = open(raw, new Wire.Hello(Wire.VERSION + 1, at.runtime(), at.incarnation(), at.service(),
                    at.type(), "test").encode());
            Status afterHello = open(raw, new Wire.Hello(Wire.VERSION, at.runtime(), at.incarnation(), at.service(),
                    at.type(), "test").encode(), new byte[] {Wire.CREDIT, 0, 0, 0, 1});
            Status batch = open(raw, new Wire.Hello(Wire.VERSION, at.runtime(), at.incarnation(), at.service(),
                    at.type(), "test").encode(), shortBatch.array());

            assertThat(garbage.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(garbage.getDescription()).contains("the first frame must be HELLO");
            assertThat(version.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(version.getDescription()).contains("protocol version " + (Wire.VERSION + 1))
                    .contains("speaks version " + Wire.VERSION);
            assertThat(afterHello.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(afterHello.getDescription()).contains("DATA frames only");
            assertThat(batch.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(batch.getDescription()).contains("announces 5 messages but holds 3").contains(key.name());
        } finally {
            raw.shutdownNow();
        }

        good.send("after");
        assertThat(c.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).as("the good link goes on").isEqualTo("after");
        assertThat(c.received).as("no bad stream delivered anything (none of the short batch)").isEmpty();
        c.shutdown();
    }

    @Test
    void aFrameItsCodecCannotDecodeClosesThatStreamAndLosesNothingElse() throws Exception {
        ServiceKey<Quote> key = ServiceKey.of("quote-" + System.nanoTime(), Quote.class);
        QuoteTaker taker = b.weft().spawn(new QuoteTaker());
        RemoteAddress at = b.cluster().register(key, taker.in, Codec.json(Quote.class));
        Sink<Quote> good = a.cluster().lookup(key, Codec.json(Quote.class));
        good.send(new Quote("ACME", 12.5));
        assertThat(taker.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new Quote("ACME", 12.5));

        ManagedChannel raw = NettyChannelBuilder.forAddress(at.host(), at.port()).usePlaintext().build();
        try {
            Status bad = open(raw, new Wire.Hello(Wire.VERSION, at.runtime(), at.incarnation(), at.service(), at.type(),
                    "test").encode(), Wire.data("{not json".getBytes()));
            assertThat(bad.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(bad.getDescription()).contains("could not decode").contains(key.name());
        } finally {
            raw.shutdownNow();
        }
        good.send(new Quote("EMCA", 1));
        assertThat(taker.received.poll(WATCHDOG_SECONDS, TimeUnit.SECONDS)).isEqualTo(new Quote("EMCA", 1));
        taker.shutdown();
    }

    record Quote(String symbol, double price) {
    }

    static final class QuoteTaker extends dev.weft.runtime.Component {
        final dev.weft.runtime.Inbox<Quote> in = inbox("in", Quote.class);
        final java.util.concurrent.BlockingQueue<Quote> received = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            while (true) {
                if (select(in, control) == control) {
                    return;
                }
                received.add(in.poll());
            }
        }
    }

    /** Opens a raw stream, sends {@code frames}, and returns the status it is closed with. */
    private static Status open(ManagedChannel channel, byte[]... frames) throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<byte[], byte[]> call = channel.newCall(Wire.OPEN, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        for (byte[] f : frames) {
            call.sendMessage(f);
        }
        return closed.get(WATCHDOG_SECONDS, TimeUnit.SECONDS);
    }
}
