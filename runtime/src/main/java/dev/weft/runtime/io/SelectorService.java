package dev.weft.runtime.io;

import dev.weft.runtime.Component;
import dev.weft.runtime.Extension;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;
import dev.weft.runtime.Weft;
import dev.weft.runtime.inspect.Inspectable;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runtime's selector: loops waiting in {@code epoll_wait} (Linux, JDK 22+, native access
 * enabled) or in a {@link java.nio.channels.Selector}'s {@code select()} (everywhere else), each on
 * a platform thread of its own (or, on JDK 24+, a virtual thread with
 * {@code weft.selector.thread=virtual}), one per carrier thread by default
 * ({@code weft.selector.pollers}), shared by every component that does non-blocking I/O; a channel
 * stays with the loop it was given at registration. Find it with {@link #of(Weft)}; it starts on
 * first use. The system property {@code weft.selector.backend} ({@code auto}, {@code epoll},
 * {@code nio}) forces a backend; the choice is logged once.
 *
 * <pre>{@code
 * final Inbox<Readiness> readiness = inbox("readiness", Readiness.class, 4);
 * ...
 * ChannelHandle handle = SelectorService.of(runtime()).register(channel, readiness);
 * handle.arm(SelectionKey.OP_READ);
 * for (;;) {
 *     Readiness r = readiness.receive();      // OP_READ is now disarmed
 *     while (channel.read(buffer) > 0) { ... }  // read until it would block (or the end of stream)
 *     handle.arm(SelectionKey.OP_READ);         // drained: ask again
 * }
 * }</pre>
 *
 * <p>The service is a component in its own right: it is registered under {@link #KEY} with its
 * control inbox (its only inbox: all traffic goes through {@link ChannelHandle}s), it ends on
 * {@link Shutdown} once its last channel has been closed, and on interrupt at once, closing every
 * channel still registered. Its meters are named {@code weft.selector.*}.
 */
public final class SelectorService extends Component implements Inspectable {
    /** The registry key of the selector service. Its inbox is the service component's control inbox. */
    public static final ServiceKey<Signal> KEY = ServiceKey.of("weft.selector", Signal.class);
    /** The service most recently started in a runtime, set before it is registered under {@link #KEY}. */
    private static final Extension<AtomicReference<SelectorService>> CURRENT = w -> new AtomicReference<>();

    private static final int SHOWN_REGISTRATIONS = 100;

    private final Registry registry;
    private final Poller[] pollers;
    private final boolean virtualLoops;
    private final AtomicInteger nextPoller = new AtomicInteger();

    private SelectorService(MeterRegistry meters) {
        super("weft-selector");
        this.registry = new Registry(meters);
        this.virtualLoops = Backends.virtualLoops();
        this.pollers = new Poller[Backends.pollers()];
        for (int i = 0; i < pollers.length; i++) {
            pollers[i] = Backends.create(registry, virtualLoops);
        }
        if (virtualLoops) {
            for (Poller p : pollers) {
                p.useVirtualThread();
            }
        }
    }

    /**
     * Returns the selector service of {@code weft}, starting it if it is not running.
     *
     * @throws InterruptedException if interrupted while another caller starts it
     */
    public static SelectorService of(Weft weft) throws InterruptedException {
        AtomicReference<SelectorService> current = weft.extension(CURRENT);
        weft.services().lookupOrStart(KEY, w -> {
            SelectorService started = w.spawn(new SelectorService(w.meterRegistry()));
            current.set(started);
            return started.control;
        });
        return current.get();
    }

    /**
     * Registers {@code channel} (switching it to non-blocking mode) for its whole life, with readiness
     * going to {@code owner}. Nothing is armed yet. The handle ends when the owner's component ends.
     *
     * @throws IOException if the channel cannot be made non-blocking or registered (for instance, it
     *     is closed)
     * @throws IllegalStateException if the service has ended, or the channel is registered already (a
     *     channel is registered once; {@link #transfer} hands it to another owner)
     * @throws IllegalArgumentException if the epoll backend runs and the channel is not one of the
     *     JDK's own socket or pipe channels
     */
    public ChannelHandle register(SelectableChannel channel, Inbox<? super Readiness> owner) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(owner, "owner");
        Poller poller = pollers[Math.floorMod(nextPoller.getAndIncrement(), pollers.length)];
        if (poller.isEnded()) {
            throw new IllegalStateException("the selector service has ended; cannot register " + channel);
        }
        ChannelHandle handle = new ChannelHandle(poller, channel, owner);
        ChannelHandle earlier = registry.live.putIfAbsent(channel, handle);
        if (earlier != null) {
            throw new IllegalStateException("channel " + channel + " is already registered with the selector service,"
                    + " owned by " + earlier.owner() + "; register a channel once, and hand it to another owner"
                    + " with transfer(handle, newOwner)");
        }
        try {
            channel.configureBlocking(false);
            poller.add(handle);
        } catch (IOException | RuntimeException e) {
            registry.live.remove(channel, handle);
            throw e;
        }
        registry.owners.add(owner, handle);
        return handle;
    }

    /**
     * Makes {@code newOwner} the owner of {@code handle}: later readiness goes there, and the handle
     * now ends with the new owner's component instead of the old one's. Armed operations stay armed.
     * A readiness message still unread at the old owner is sent again to the new owner; the old owner
     * must ignore readiness for a handle it no longer owns ({@code r.handle().owner() != myInbox}).
     */
    public void transfer(ChannelHandle handle, Inbox<? super Readiness> newOwner) {
        Objects.requireNonNull(newOwner, "newOwner");
        handle.transferTo(newOwner);
    }

    /** Returns the name of the backend in use: {@code "epoll"} or {@code "nio"}. */
    public String backend() {
        return pollers[0].backend();
    }

    @Override
    protected void run() throws InterruptedException {
        Thread[] threads = new Thread[pollers.length];
        for (int i = 0; i < pollers.length; i++) {
            String name = pollers.length == 1 ? "weft-selector" : "weft-selector-" + i;
            threads[i] = virtualLoops
                    ? Thread.ofVirtual().name(name).unstarted(pollers[i])
                    : Thread.ofPlatform().name(name).daemon().unstarted(pollers[i]);
            pollers[i].thread = threads[i];
            threads[i].start();
        }
        try {
            while (!(control.receive() instanceof Shutdown)) {
                // other signals (service events, for instance) mean nothing to the selector
            }
            for (Poller p : pollers) {
                p.stopWhenIdle();
            }
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            for (int i = 0; i < pollers.length; i++) {
                if (threads[i].isAlive()) {
                    pollers[i].stopNow();
                    joinUninterruptibly(threads[i]);
                }
            }
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Shows the backend and the open registered channels (the first {@value #SHOWN_REGISTRATIONS})
     * with their owners and armed operations.
     */
    @Override
    public Map<String, Object> details() {
        List<Map<String, Object>> shown = new ArrayList<>();
        int count = 0;
        for (ChannelHandle h : registry.live.values()) {
            if (!h.channel().isOpen()) {
                continue;                              // closed directly: leaves at the loop's next sweep
            }
            if (count++ < SHOWN_REGISTRATIONS) {
                shown.add(Map.of("channel", String.valueOf(h.channel()), "owner", String.valueOf(h.owner()),
                        "armed", h.armed()));
            }
        }
        return Map.of("backend", backend(), "loops", pollers.length, "loop threads", loopThreads(), "channels", count,
                "registrations", shown);
    }

    /** The owners' inboxes: readiness goes there without a link. */
    @Override
    public List<Inbox<?>> deliversTo() {
        Set<Inbox<?>> owners = new LinkedHashSet<>();
        for (ChannelHandle h : registry.live.values()) {
            owners.add(h.ownerInbox());
        }
        return List.copyOf(owners);
    }

    /** Returns what threads the selector loops run on: {@code "virtual"} or {@code "platform"}. */
    public String loopThreads() {
        return virtualLoops ? "virtual" : "platform";
    }

    /** The shared bookkeeping and meters, for tests in this package. */
    Registry registry() {
        return registry;
    }

    /** The selector loops, for tests in this package. */
    List<Poller> pollers() {
        return List.of(pollers);
    }
}
