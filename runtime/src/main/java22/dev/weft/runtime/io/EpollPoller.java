package dev.weft.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The "lifetime" backend: Linux epoll driven through the FFM API. Each channel is added once, for
 * input and output, edge-triggered, when it is registered, and leaves when it is closed; arming,
 * disarming and transfers cost no system call, and the loop is never woken to apply them.
 */
final class EpollPoller extends Poller {
    /*
     * Registration. register() (any thread), under `lock`, takes a slot in `slots`, stamps the handle
     * with token = generation << 32 | slot, publishes it (release store), then adds the descriptor
     * with EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET and the token as its data; holding the lock, it cannot
     * race the loop closing the epoll descriptor (whose number could then belong to another file).
     * Closing the channel is what removes it: the kernel drops a closed file from every epoll set, so
     * close() needs no epoll_ctl(DEL) — and must not make one, since a descriptor closed behind our
     * back may already have been reused by another channel. The slot is then freed; its next user gets
     * a new generation, so an event still queued for the old registration carries a token that no
     * longer matches and is dropped. The loop reads the slot with an acquire load after epoll_wait
     * returned the token; the token can only come back after the epoll_ctl that followed the store.
     *
     * Readiness (the handle's word, see ChannelHandle): ARMED ops the owner waits for, PENDING ops
     * that became ready while not armed. An event with ops E (EPOLLIN etc. mapped to the channel's
     * OP_* bits) does, by CAS:  fire = ARMED & E;  ARMED -= fire;  PENDING |= E - fire;  and sends
     * `fire` (Poller.fire, which merges into a readiness message still open and counts it). arm(ops)
     * does, by CAS:  ready = PENDING & ops;  PENDING -= ready;  ARMED |= ops - ready;  and sends
     * `ready` itself, from the owner's thread, with no system call. Both sides move a bit between
     * PENDING and ARMED in one CAS on one word, so an edge that arrives while the owner arms is
     * either seen by the arm (PENDING) or finds the op armed: edge-triggering loses nothing as long as
     * the owner arms only after its operation would block (ChannelHandle says so). An edge that
     * arrives while the owner is still reading leaves PENDING set, so its next arm fires at once; the
     * read then may find nothing (a hint, never a loss).
     *
     * End of stream is the one state that an edge reports once but that lasts: an owner that reads
     * the last bytes with a short read and arms may never hear the FIN that came with them. So an
     * event with EPOLLRDHUP sets PEER_SHUT for good, and every later arm of an input op fires at once
     * (the read then returns -1). EPOLLHUP alone is not sticky: a socket not yet connected reports it.
     *
     * Wake-ups: only stopping writes the eventfd; nothing in steady state does.
     *
     * On a virtual thread (useVirtualThread) the loop must not block its carrier in epoll_wait, so it
     * calls epoll_wait with timeout 0 and, when that finds nothing, parks until epfd is readable: a
     * NIO Selector holds a stand-in channel (a pipe's source) whose descriptor number was made a
     * duplicate of epfd with dup3 (an epoll descriptor can sit in another epoll set), and select() on
     * a virtual thread parks it through the JDK's own poller instead of blocking. Then epoll_wait(0)
     * again harvests. Owners that the loop wakes are then scheduled on the loop's carrier.
     */
    private static final long WAKE_TOKEN = -1L;
    private static final int MAX_EVENTS = 1024;
    private static final int FIRST_SLOTS = 64;
    private static final int IN = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR;
    private static final int OUT = Epoll.EPOLLOUT | Epoll.EPOLLHUP | Epoll.EPOLLERR;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ChannelHandle[].class);

    private final int epfd;
    private final int wakeFd;
    /** The loop's own native memory: the event array, the errno state, the eventfd buffer. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment errnoState;
    private final MemorySegment wakeBuffer;
    private final AtomicLong nativeBytes = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ChannelHandle[] slots = new ChannelHandle[FIRST_SLOTS];
    /** Guarded by lock. */
    private int[] generations = new int[FIRST_SLOTS];
    private int[] free = new int[FIRST_SLOTS];
    private int freeCount;
    private int used;
    private volatile int handles;
    /** Guarded by lock: the loop has closed its descriptors. */
    private boolean descriptorsClosed;
    /** On a virtual thread: the selector whose select() parks the loop until epfd has events; else null. */
    private Selector parking;
    /** The stand-in in {@code parking}: a pipe's source channel whose descriptor is a duplicate of epfd. */
    private Pipe.SourceChannel standIn;

    EpollPoller(Registry registry) {
        super(registry);
        events = allocate(Epoll.EVENT_SIZE * MAX_EVENTS);
        errnoState = allocate(Epoll.ERRNO_STATE.byteSize());
        wakeBuffer = allocate(Long.BYTES);
        epfd = Epoll.epollCreate(errnoState);
        if (epfd < 0) {
            arena.close();
            throw new UncheckedIOException(new IOException("epoll_create1 failed: errno " + Epoll.errno(errnoState)));
        }
        wakeFd = Epoll.eventfd(errnoState);
        try {
            if (wakeFd < 0) {
                throw new IOException("eventfd failed: errno " + Epoll.errno(errnoState));
            }
            Epoll.add(epfd, wakeFd, WAKE_TOKEN, "the selector's wake-up eventfd");
        } catch (IOException e) {
            Epoll.close(errnoState, epfd);
            arena.close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns why this backend cannot run, or null if it can. Touches nothing restricted before it
     * knows native access is enabled, so a JVM without it gets a sentence, not a JDK warning.
     */
    static String unavailable() {
        Module module = EpollPoller.class.getModule();
        String who = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        String arch = System.getProperty("os.arch", "");
        if (!isX86() && !arch.equals("aarch64")) {
            return "it supports x86-64 and AArch64 (this is " + arch + ")";
        }
        if (!module.isNativeAccessEnabled()) {
            return "native access is not enabled; add --enable-native-access=" + who
                    + " and --add-exports java.base/sun.nio.ch=" + who + " to the java command line";
        }
        if (!Object.class.getModule().isExported("sun.nio.ch", module)) {
            return "the JDK's socket descriptors are not reachable; add --add-exports java.base/sun.nio.ch=" + who
                    + " to the java command line";
        }
        try {
            return Epoll.EVENT_SIZE > 0 ? null : "unreachable";
        } catch (Throwable e) {
            return "binding the epoll calls failed: " + e;
        }
    }

    static boolean isX86() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    private MemorySegment allocate(long bytes) {
        nativeBytes.addAndGet(bytes);
        return arena.allocate(bytes, 8);
    }

    @Override
    String backend() {
        return "epoll";
    }

    @Override
    long nativeBytes() {
        return nativeBytes.get();
    }

    @Override
    int slotsInUse() {
        return handles;
    }

    /** Waits for epfd through a NIO selector, which parks a virtual thread instead of its carrier. */
    @Override
    void useVirtualThread() {
        Pipe pipe = null;
        try {
            pipe = Pipe.open();
            pipe.sink().close();
            Pipe.SourceChannel source = pipe.source();
            source.configureBlocking(false);
            if (Epoll.dup3(errnoState, epfd, Epoll.fd(source)) < 0) {
                throw new IOException("dup3 of the epoll descriptor failed: errno " + Epoll.errno(errnoState));
            }
            Selector selector = Selector.open();
            source.register(selector, SelectionKey.OP_READ);
            standIn = source;
            parking = selector;
        } catch (IOException e) {
            if (pipe != null) {
                closeQuietly(pipe.source());
            }
            throw new UncheckedIOException("cannot set up the epoll selector loop's wait on a virtual thread", e);
        }
    }

    // ---------------------------------------------------------------- any thread

    /** Takes a slot and adds the descriptor, under the lock so that the loop cannot close epfd meanwhile. */
    @Override
    void register(ChannelHandle h) throws IOException {
        int fd = Epoll.fd(h.channel());
        lock.lock();
        try {
            if (descriptorsClosed) {
                throw new IllegalStateException("the selector service has ended; cannot register " + h.channel());
            }
            take(h);
            try {
                Epoll.add(epfd, fd, h.token, h.channel());
            } catch (IOException | RuntimeException e) {
                giveBack(h);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    void arm(ChannelHandle h, int ops) {
        for (;;) {
            int w = h.word();
            if ((w & (ChannelHandle.CLOSING | ChannelHandle.ENDED)) != 0) {
                return;
            }
            int sticky = (w & ChannelHandle.PEER_SHUT) != 0 ? h.inOps : 0;
            int ready = ((w >>> ChannelHandle.PENDING_SHIFT) | sticky) & ops;
            int next = (w & ~(ready << ChannelHandle.PENDING_SHIFT)) | (ops & ~ready);
            if (next == w || h.casWord(w, next)) {
                if (ready != 0) {
                    fire(h, ready, 1);
                }
                return;
            }
        }
    }

    @Override
    void disarm(ChannelHandle h, int ops) {
        h.clearBits(ops);
    }

    @Override
    void close(ChannelHandle h) {
        h.setBits(ChannelHandle.CLOSING);
        end(h);
    }

    @Override
    void release(ChannelHandle h) {
        closeQuietly(h.channel());    // the kernel drops the descriptor from the epoll set
        giveBack(h);
    }

    /** Writes the eventfd, unless the loop has closed it (its number may belong to another file by then). */
    @Override
    void wakeLoop() {
        lock.lock();
        try {
            if (descriptorsClosed) {
                return;
            }
            try (Arena call = Arena.ofConfined()) {
                MemorySegment one = call.allocate(ValueLayout.JAVA_LONG);
                MemorySegment state = call.allocate(Epoll.ERRNO_STATE);
                one.set(ValueLayout.JAVA_LONG, 0, 1L);
                Epoll.write(state, wakeFd, one);
            }
        } finally {
            lock.unlock();
        }
        registry.wakeups.increment();
    }

    /** Gives the handle a slot and a token. */
    private void take(ChannelHandle h) {
        lock.lock();
        try {
            int slot;
            if (freeCount > 0) {
                slot = free[--freeCount];
            } else {
                slot = used++;
                if (slot == slots.length) {
                    int size = slots.length * 2;
                    slots = Arrays.copyOf(slots, size);
                    generations = Arrays.copyOf(generations, size);
                    free = Arrays.copyOf(free, size);
                }
            }
            int generation = ++generations[slot];
            h.token = ((long) generation << 32) | slot;
            SLOT.setRelease(slots, slot, h);
            handles++;
        } finally {
            lock.unlock();
        }
    }

    /** Frees the handle's slot, if it still holds it. */
    private void giveBack(ChannelHandle h) {
        int slot = (int) h.token;
        lock.lock();
        try {
            ChannelHandle[] s = slots;
            if (s[slot] == h) {
                SLOT.setRelease(s, slot, (ChannelHandle) null);
                free[freeCount++] = slot;
                handles--;
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the loop's thread

    @Override
    public void run() {
        try {
            while (!stopNow) {
                registry.loops.increment();
                if (draining && !hasHandles()) {
                    break;
                }
                int n = await();
                if (n < 0) {
                    failedWait();
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    long at = i * Epoll.EVENT_SIZE;
                    dispatch(events.get(ValueLayout.JAVA_LONG_UNALIGNED, at + Epoll.DATA_OFFSET),
                            events.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                }
                sweepNowAndThen();
            }
        } finally {
            markEnded();
            endAll();
            if (parking != null) {
                closeQuietly(parking);
                closeQuietly(standIn);          // its descriptor is the duplicate of epfd, not epfd
            }
            lock.lock();
            try {
                descriptorsClosed = true;
                Epoll.close(errnoState, wakeFd);
                Epoll.close(errnoState, epfd);
            } finally {
                lock.unlock();
            }
            arena.close();
            nativeBytes.set(0);
        }
    }

    /**
     * Waits for events: in epoll_wait on a platform thread; on a virtual thread, epoll_wait without
     * waiting, and if it found nothing, parks in the selector until epfd is ready, then harvests.
     */
    private int await() {
        if (parking == null) {
            return Epoll.await(errnoState, epfd, events, MAX_EVENTS, (int) waitMillis());
        }
        int n = Epoll.await(errnoState, epfd, events, MAX_EVENTS, 0);
        if (n != 0) {
            return n;
        }
        try {
            parking.select(EpollPoller::ignore, waitMillis());
        } catch (IOException | RuntimeException e) {
            registry.errors.increment();
            LOG.log(Level.WARNING, "waiting for the epoll descriptor failed; the selector loop carries on", e);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return Epoll.await(errnoState, epfd, events, MAX_EVENTS, 0);
    }

    /** The selector only parks the loop; what it selects is read from epfd. */
    private static void ignore(SelectionKey key) {
    }

    private void failedWait() {
        int errno = Epoll.errno(errnoState);
        if (errno != Epoll.EINTR) {
            registry.errors.increment();
            LOG.log(Level.WARNING, "epoll_wait failed with errno " + errno + "; the selector loop carries on");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void dispatch(long token, int event) {
        if (token == WAKE_TOKEN) {
            Epoll.read(errnoState, wakeFd, wakeBuffer);
            return;
        }
        int slot = (int) token;
        ChannelHandle[] s = slots;
        if (slot < 0 || slot >= s.length) {
            return;
        }
        ChannelHandle h = (ChannelHandle) SLOT.getAcquire(s, slot);
        if (h == null || h.token != token) {
            return;                   // an event of a registration that has ended
        }
        int ops = ((event & IN) != 0 ? h.inOps : 0) | ((event & OUT) != 0 ? h.outOps : 0);
        int shut = (event & Epoll.EPOLLRDHUP) != 0 ? ChannelHandle.PEER_SHUT : 0;
        for (;;) {
            int w = h.word();
            if ((w & ChannelHandle.ENDED) != 0) {
                return;
            }
            int fire = w & ops;
            int next = (w & ~fire) | ((ops & ~fire) << ChannelHandle.PENDING_SHIFT) | shut;
            if (next == w || h.casWord(w, next)) {
                if (fire != 0) {
                    fire(h, fire, 1);
                }
                return;
            }
        }
    }
}
