package dev.weft.runtime.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectableChannel;

/**
 * The Linux calls of the epoll backend, bound once through the FFM API, and the descriptor of a JDK
 * channel. Loaded only after {@link EpollPoller#unavailable()} said yes, so that no restricted method
 * is ever called (and no JDK warning printed) where native access is not enabled.
 */
final class Epoll {
    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1;
    /** EPOLL_CLOEXEC and O_CLOEXEC (dup3) are both 0x80000 on Linux. */
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EINTR = 4;

    /** struct epoll_event: packed (12 bytes) on x86-64, naturally aligned (16) elsewhere. */
    static final long EVENT_SIZE;
    static final long DATA_OFFSET;
    static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle EPOLL_CREATE1;
    private static final MethodHandle EPOLL_CTL;
    private static final MethodHandle EPOLL_WAIT;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle DUP3;
    private static final Class<?> SEL_CH_IMPL;
    private static final MethodHandle FD_VAL;

    static {
        boolean packed = EpollPoller.isX86();
        EVENT_SIZE = packed ? 12 : 16;
        DATA_OFFSET = packed ? 4 : 8;
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        EPOLL_CREATE1 = bind(linker, libc, "epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        EPOLL_CTL = bind(linker, libc, "epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), errno);
        EPOLL_WAIT = bind(linker, libc, "epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errno);
        EVENTFD = bind(linker, libc, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        READ = bind(linker, libc, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errno);
        WRITE = bind(linker, libc, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errno);
        CLOSE = bind(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        DUP3 = bind(linker, libc, "dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        try {
            SEL_CH_IMPL = Class.forName("sun.nio.ch.SelChImpl");
            FD_VAL = MethodHandles.lookup().findVirtual(SEL_CH_IMPL, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, SelectableChannel.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Epoll() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle bind(Linker linker, SymbolLookup libc, String name, FunctionDescriptor signature,
            Linker.Option... options) {
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in libc"));
        return linker.downcallHandle(symbol, signature, options);
    }

    /** Returns the descriptor of one of the JDK's own channels. */
    static int fd(SelectableChannel channel) {
        if (!SEL_CH_IMPL.isInstance(channel)) {
            throw new IllegalArgumentException("the epoll selector backend registers the JDK's own socket and pipe"
                    + " channels only, not " + channel.getClass().getName() + "; run with -D"
                    + Backends.PROPERTY + "=nio to register other channels");
        }
        try {
            return (int) FD_VAL.invokeExact(channel);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the descriptor of " + channel, e);
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int epollCreate(MemorySegment state) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int ctl(MemorySegment state, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int await(MemorySegment state, int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(state, epfd, events, max, timeoutMillis);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int eventfd(MemorySegment state) {
        try {
            return (int) EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, buffer.byteSize());
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Makes {@code newFd} a duplicate of {@code fd} (closing what it was), close-on-exec; returns -1 on failure. */
    static int dup3(MemorySegment state, int fd, int newFd) {
        try {
            return (int) DUP3.invokeExact(state, fd, newFd, EPOLL_CLOEXEC);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Adds {@code fd} for input, output and peer shutdown, edge-triggered, with {@code token} as its data. */
    static void add(int epfd, int fd, long token, Object what) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment event = call.allocate(EVENT_SIZE, 8);
            MemorySegment state = call.allocate(ERRNO_STATE);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, token);
            if (ctl(state, epfd, EPOLL_CTL_ADD, fd, event) < 0) {
                throw new IOException("epoll_ctl(EPOLL_CTL_ADD) failed for " + what + ": errno " + errno(state));
            }
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
