package dev.weft.runtime.io;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.Weft;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

@ParameterizedClass(name = "{0} backend, loops on {1} threads")
@CsvSource({"nio, virtual", "nio, platform", "epoll, virtual", "epoll, platform"})
class SelectorServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Parameter(0)
    String backend;

    @Parameter(1)
    String loopThreads;

    private Weft weft;
    private ServerSocketChannel listener;
    private final List<SocketChannel> opened = new ArrayList<>();

    /** Hands every readiness it receives to the test, once {@code go} opens. */
    static final class Owner extends Component {
        final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
        final BlockingQueue<Readiness> seen = new LinkedBlockingQueue<>();
        final CountDownLatch go;

        Owner(boolean startReceiving) {
            go = new CountDownLatch(startReceiving ? 0 : 1);
        }

        @Override
        protected void run() throws InterruptedException {
            go.await();
            for (;;) {
                Inbox<?> ready = select(readiness, control);
                if (ready == control) {
                    return;
                }
                seen.put(readiness.poll());
            }
        }

        Readiness next() throws InterruptedException {
            Readiness r = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("a readiness message within " + WAIT).isNotNull();
            return r;
        }
    }

    /** A connected pair: {@code near} is ours (registered), {@code far} is the peer (blocking). */
    record Pair(SocketChannel near, SocketChannel far) {
    }

    @BeforeEach
    void start() throws IOException {
        System.setProperty(Backends.PROPERTY, backend);
        System.setProperty(Backends.THREAD_PROPERTY, loopThreads);
        weft = Weft.start();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        System.clearProperty(Backends.PROPERTY);
        System.clearProperty(Backends.THREAD_PROPERTY);
        weft.close();
        listener.close();
        for (SocketChannel c : opened) {
            c.close();
        }
    }

    /** Returns how many channels the backend holds registered now (NIO: keys in the selector). */
    static int keys(SelectorService service) {
        int keys = 0;
        for (Poller p : service.pollers()) {
            keys += p instanceof NioPoller nio ? nio.registered() : p.slotsInUse();
        }
        return keys;
    }

    private Pair connect() throws IOException {
        SocketChannel near = SocketChannel.open(listener.getLocalAddress());
        SocketChannel far = listener.accept();
        opened.add(near);
        opened.add(far);
        return new Pair(near, far);
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        channel.write(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static String readAvailable(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.read(buffer) > 0) {
            // drain until it would block
        }
        return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Returns whether the peer's next read ends: end of stream, or a reset (closed with unread bytes). */
    private static boolean connectionEnded(SocketChannel peer) {
        try {
            return peer.read(ByteBuffer.allocate(1)) == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    @Test
    void theServiceStartsOnFirstLookupAndIsFoundThroughTheRegistry() throws Exception {
        SelectorService first = SelectorService.of(weft);
        SelectorService second = SelectorService.of(weft);

        assertThat(first.backend()).as("the backend asked for").isEqualTo(backend);
        assertThat(first.loopThreads()).as("the loop threads asked for").isEqualTo(loopThreads);
        for (Poller p : first.pollers()) {
            await(() -> p.thread != null && p.thread.isAlive(), "the loop's thread has started");
            assertThat(p.thread.isVirtual()).as(p.thread + " is virtual").isEqualTo(loopThreads.equals("virtual"));
        }
        assertThat(second).isSameAs(first);
        assertThat(weft.services().lookup(SelectorService.KEY)).isSameAs(first.control);
        assertThat(first.state()).isEqualTo(ComponentState.RUNNING);
    }

    @Test
    void aStoppedServiceLeavesNoDescriptorOfItsLoopsOpen() throws Exception {
        assumeTrue(new File("/proc/self/fd").isDirectory(), "counts descriptors in /proc/self/fd (Linux)");
        startAndStopAServiceWithAChannel();          // the JDK opens its own poller's descriptors once
        long before = openDescriptors();

        startAndStopAServiceWithAChannel();

        await(() -> openDescriptors() <= before, "descriptors back to " + before);
    }

    private void startAndStopAServiceWithAChannel() throws Exception {
        try (Weft other = Weft.start()) {
            Owner owner = other.spawn(new Owner(true));
            Pair pair = connect();
            ChannelHandle handle = SelectorService.of(other).register(pair.near(), owner.readiness);
            handle.arm(OP_READ);
            pair.far().write(ByteBuffer.wrap(new byte[] {1}));
            assertThat(owner.next().isReadable()).isTrue();
            handle.close();
            pair.far().close();
        }
    }

    private static long openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? Long.MAX_VALUE : fds.length;
    }

    @Test
    void theServiceShowsItsRegistrationsAndOwnersToTheInspector() throws Exception {
        Pair pair = connect();
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), owner.readiness);
        handle.arm(OP_READ);

        assertThat(service.details()).containsEntry("channels", 1);
        assertThat(service.deliversTo()).containsExactly(owner.readiness);
        assertThat(weft.snapshot().links()).anySatisfy(link -> {
            assertThat(link.kind()).isEqualTo(dev.weft.runtime.inspect.LinkKind.DELIVERY);
            assertThat(link.to().box()).isEqualTo("readiness");
        });

        handle.close();
        await(() -> service.deliversTo().isEmpty(), "the closed channel to leave the registrations");
        assertThat(service.details()).containsEntry("channels", 0);
    }

    @Test
    void readinessIsOneShotUntilTheOwnerArmsAgain() throws Exception {
        Pair pair = connect();
        Owner owner = weft.spawn(new Owner(true));
        ChannelHandle handle = SelectorService.of(weft).register(pair.near(), owner.readiness);
        handle.arm(OP_READ);

        write(pair.far(), "one");
        Readiness first = owner.next();
        assertThat(first.handle()).isSameAs(handle);
        assertThat(first.ops()).isEqualTo(OP_READ);
        assertThat(first.count()).isEqualTo(1);

        // Not drained, not re-armed: more data brings no message.
        write(pair.far(), "two");
        assertThat(owner.seen.poll(100, TimeUnit.MILLISECONDS)).as("readiness while disarmed").isNull();

        assertThat(readAvailable(pair.near())).isEqualTo("onetwo");
        handle.arm(OP_READ);
        write(pair.far(), "three");
        assertThat(owner.next().isReadable()).isTrue();
        assertThat(readAvailable(pair.near())).isEqualTo("three");
    }

    @Test
    void readinessWhileAMessageIsUnreadIsMergedIntoItWithAGrowingCount() throws Exception {
        Pair pair = connect();
        Owner owner = weft.spawn(new Owner(false));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), owner.readiness);

        handle.arm(OP_READ | OP_WRITE);            // writable at once: one message, left unread
        await(() -> service.registry().readiness.sum() == 1, "the first readiness message");
        write(pair.far(), "data");                 // readable later: merged into the unread message
        await(() -> service.registry().coalesced.sum() == 1, "the readable event to be merged");
        owner.go.countDown();

        Readiness merged = owner.next();
        assertThat(merged.ops()).isEqualTo(OP_READ | OP_WRITE);
        assertThat(merged.count()).isEqualTo(2);
        assertThat(owner.seen.poll(100, TimeUnit.MILLISECONDS)).as("a second message").isNull();
    }

    @Test
    void aClosedChannelsKeyDoesNotBreakTheLoopForOtherChannels() throws Exception {
        Pair doomed = connect();
        Pair healthy = connect();
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle doomedHandle = service.register(doomed.near(), owner.readiness);
        ChannelHandle healthyHandle = service.register(healthy.near(), owner.readiness);
        doomedHandle.arm(OP_READ);
        healthyHandle.arm(OP_READ);
        await(() -> keys(service) == 2, "both channels to be registered");

        doomed.near().close();                     // closed behind the service's back while armed
        write(doomed.far(), "x");
        for (int i = 0; i < 3; i++) {
            write(healthy.far(), "ping" + i);
            Readiness r = owner.next();
            assertThat(r.handle()).isSameAs(healthyHandle);
            assertThat(readAvailable(healthy.near())).isEqualTo("ping" + i);
            healthyHandle.arm(OP_READ);
        }
        doomedHandle.arm(OP_READ);                 // arming a dead handle is harmless
        await(() -> !doomedHandle.isOpen(), "the closed channel's handle to end");
        assertThat(service.state()).isEqualTo(ComponentState.RUNNING);
    }

    @Test
    void anOwnersEndDeregistersAndClosesItsChannels() throws Exception {
        Pair pair = connect();
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), owner.readiness);
        handle.arm(OP_READ);

        owner.shutdown();
        owner.join(WAIT);

        await(() -> !pair.near().isOpen(), "the channel to close");
        assertThat(handle.isOpen()).isFalse();
        ByteBuffer eof = ByteBuffer.allocate(1);
        assertThat(pair.far().read(eof)).as("the peer sees end of stream").isEqualTo(-1);
    }

    @Test
    void aTransferSendsLaterReadinessAndAnUnreadMessageToTheNewOwner() throws Exception {
        Pair pair = connect();
        Owner oldOwner = weft.spawn(new Owner(false));   // never reads its inbox
        Owner newOwner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), oldOwner.readiness);
        handle.arm(OP_READ);
        write(pair.far(), "before");
        await(() -> oldOwner.readiness.size() == 1, "readiness at the old owner");

        service.transfer(handle, newOwner.readiness);

        Readiness redelivered = newOwner.next();
        assertThat(redelivered.isReadable()).isTrue();
        assertThat(readAvailable(pair.near())).isEqualTo("before");
        handle.arm(OP_READ);
        write(pair.far(), "after");
        assertThat(newOwner.next().isReadable()).isTrue();
        assertThat(readAvailable(pair.near())).isEqualTo("after");

        oldOwner.shutdown();
        oldOwner.go.countDown();
        oldOwner.join(WAIT);
        assertThat(handle.isOpen()).as("the old owner's end no longer closes the channel").isTrue();
        assertThat(pair.near().isOpen()).isTrue();
    }

    /** Reads a stream; hands the channel to {@code next} after {@code handOverAfter} bytes. */
    static final class StreamReader extends Component {
        final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
        final Inbox<ChannelHandle> takeOver = inbox("takeOver", ChannelHandle.class, 1);
        final java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        private final long handOverAfter;
        private final StreamReader next;

        StreamReader(long handOverAfter, StreamReader next) {
            this.handOverAfter = handOverAfter;
            this.next = next;
        }

        @Override
        protected void run() throws Exception {
            ChannelHandle handle = takeOver.receive();
            SocketChannel channel = (SocketChannel) handle.channel();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            handle.arm(OP_READ);
            int n = 0;
            for (;;) {
                Readiness r = readiness.receive();
                if (r.handle().owner() != readiness) {
                    continue;                         // sent before we handed the channel over
                }
                while (got.size() < handOverAfter && (n = channel.read(buffer.clear())) > 0) {
                    got.write(buffer.array(), 0, n);
                }
                if (n < 0) {
                    return;
                }
                handle.arm(OP_READ);                  // armed, perhaps with a readiness in flight to us
                if (got.size() >= handOverAfter) {
                    SelectorService.of(runtime()).transfer(handle, next.readiness);
                    next.takeOver.send(handle);
                    return;
                }
            }
        }
    }

    @Test
    void anOwnershipTransferMidStreamLosesNoBytes() throws Exception {
        Pair pair = connect();
        byte[] sent = new byte[4 << 20];
        new java.util.Random(42).nextBytes(sent);
        StreamReader second = new StreamReader(Long.MAX_VALUE, null);     // reads to the end of stream
        StreamReader first = new StreamReader(1 << 20, second);
        weft.spawn(first);
        weft.spawn(second);
        first.takeOver.send(SelectorService.of(weft).register(pair.near(), first.readiness));

        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer data = ByteBuffer.wrap(sent);
                while (data.hasRemaining()) {
                    pair.far().write(data);
                }
                pair.far().shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        assertThat(second.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        writer.join();
        assertThat(first.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        assertThat(first.got.size()).as("bytes read before the hand-over").isGreaterThanOrEqualTo(1 << 20);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.write(first.got.toByteArray());
        all.write(second.got.toByteArray());
        assertThat(all.toByteArray()).as("both owners' bytes, in order").isEqualTo(sent);
    }

    private static final int MANY = 2_000;

    /**
     * Collects garbage until every reference is cleared, or fails after {@link #WAIT}. The owner's
     * readiness messages (which name their handles) are dropped first, as a real owner would.
     */
    private static void awaitCollected(Owner owner, List<? extends java.lang.ref.Reference<?>> refs, String what) {
        await(() -> {
            owner.seen.clear();
            System.gc();
            return refs.stream().allMatch(r -> r.refersTo(null));
        }, what + " to be collected");
    }

    /** What the test does to each handle; may throw. */
    interface HandleAction {
        void apply(ChannelHandle handle) throws IOException;
    }

    /**
     * Registers {@code count} fresh channels for {@code owner}, applies {@code close} to each, and
     * returns weak references to the handles and channels (made in this frame, so that no local
     * variable of the test keeps the last one reachable).
     */
    private static List<java.lang.ref.WeakReference<Object>> registerAndClose(SelectorService service, Owner owner,
            int count, HandleAction close) throws IOException {
        List<java.lang.ref.WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ChannelHandle handle = service.register(SocketChannel.open(), owner.readiness);
            refs.add(new java.lang.ref.WeakReference<>(handle));
            refs.add(new java.lang.ref.WeakReference<>(handle.channel()));
            close.apply(handle);
        }
        return refs;
    }

    @Test
    void closedHandlesAreNotKeptReachableByAnOwnerThatLivesOn() throws Exception {
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        List<java.lang.ref.WeakReference<Object>> refs =
                registerAndClose(service, owner, MANY, handle -> handle.close());
        await(() -> service.details().get("channels").equals(0), "the closed handles to leave the service");

        awaitCollected(owner, refs, MANY + " closed handles and their channels");
        assertThat(owner.state()).as("the owner still runs").isEqualTo(ComponentState.RUNNING);
    }

    /**
     * A loop that found no channels of its own waits for an event; a registration makes no system
     * call to wake it, and a fresh, unconnected channel closed behind the service's back makes no
     * event. The loop must still come round to sweep it.
     */
    @Test
    void aLoopThatWasIdleStillSweepsChannelsClosedDirectly() throws Exception {
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        Registry registry = service.registry();
        int loops = ((Number) service.details().get("loops")).intValue();
        await(() -> registry.loops.sum() >= loops, "every loop to start its first wait");

        for (int i = 0; i < 4 * loops; i++) {              // round robin: every loop gets some
            service.register(SocketChannel.open(), owner.readiness).channel().close();
        }

        await(registry.live::isEmpty, "the idle loops to sweep the channels closed directly");
    }

    @Test
    void aChannelClosedDirectlyLeavesTheServiceAndItsGauge() throws Exception {
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        Pair kept = connect();
        ChannelHandle keptHandle = service.register(kept.near(), owner.readiness);
        List<java.lang.ref.WeakReference<Object>> refs = registerAndClose(service, owner, MANY / 4, handle -> {
            handle.arm(OP_READ);
            handle.channel().close();              // behind the service's back
        });
        io.micrometer.core.instrument.Gauge gauge = weft.meterRegistry().get("weft.selector.channels").gauge();

        assertThat(gauge.value()).as("the channels gauge right after the direct closes").isEqualTo(1.0);
        assertThat(service.details()).as("the service's registrations").containsEntry("channels", 1);
        awaitCollected(owner, refs, "the handles of channels closed directly");
        assertThat(keptHandle.isOpen()).isTrue();
        assertThat(service.details()).containsEntry("channels", 1);
    }

    @Test
    void registeringAChannelTwiceIsRefusedAndTheFirstHandleKeepsWorking() throws Exception {
        Pair pair = connect();
        Owner first = weft.spawn(new Owner(true));
        Owner second = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), first.readiness);

        assertThatThrownBy(() -> service.register(pair.near(), second.readiness))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(pair.near().toString())
                .hasMessageContaining(first.readiness.toString())
                .hasMessageContaining("transfer");

        handle.arm(OP_READ);
        write(pair.far(), "still heard");
        assertThat(first.next().handle()).isSameAs(handle);
        assertThat(readAvailable(pair.near())).isEqualTo("still heard");
        assertThat(second.seen).as("readiness at the refused owner").isEmpty();
    }

    @Test
    void closingAHandleWhileItsReadinessIsInFlightLeavesTheNextChannelIntact() throws Exception {
        Owner owner = weft.spawn(new Owner(false));                  // receives nothing until go
        SelectorService service = SelectorService.of(weft);
        Pair first = connect();
        ChannelHandle closed = service.register(first.near(), owner.readiness);
        closed.arm(OP_READ);
        write(first.far(), "late");
        await(() -> owner.readiness.size() == 1, "the first channel's readiness in the owner's inbox");

        closed.close();                                              // its readiness is still unread
        Pair second = connect();                                     // may reuse the closed descriptor
        ChannelHandle next = service.register(second.near(), owner.readiness);
        next.arm(OP_READ);
        write(second.far(), "fresh");
        owner.go.countDown();

        Readiness late = owner.next();
        assertThat(late.handle()).isSameAs(closed);
        assertThat(late.handle().isOpen()).as("the closed handle, as its late readiness shows it").isFalse();
        Readiness fresh = owner.next();
        assertThat(fresh.handle()).isSameAs(next);
        assertThat(readAvailable(second.near())).isEqualTo("fresh");
        assertThat(connectionEnded(first.far())).as("the closed channel's peer sees the connection end").isTrue();
        next.arm(OP_READ);
        write(second.far(), "again");
        assertThat(owner.next().handle()).isSameAs(next);
        assertThat(owner.seen.poll(100, TimeUnit.MILLISECONDS)).as("readiness for the closed handle").isNull();
    }

    @Test
    void shutdownWaitsForTheLastChannelThenEndsTheService() throws Exception {
        Pair pair = connect();
        Owner owner = weft.spawn(new Owner(true));
        SelectorService service = SelectorService.of(weft);
        ChannelHandle handle = service.register(pair.near(), owner.readiness);
        handle.arm(OP_READ);
        await(() -> keys(service) == 1, "the channel to be registered");

        service.shutdown();
        assertThat(service.state()).isEqualTo(ComponentState.RUNNING);
        handle.close();

        assertThat(service.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        assertThat(pair.near().isOpen()).isFalse();
        assertThat(weft.services().lookup(SelectorService.KEY)).isNull();
    }
}
