package dev.weft.runtime.io;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the selector service's backend: epoll through the FFM API where it can run (Linux on
 * x86-64 or AArch64, JDK 22 or newer, native access enabled, the JDK's socket descriptors
 * reachable), else NIO. The system property {@value #PROPERTY} ({@code auto}, {@code epoll} or
 * {@code nio}) forces either; {@value #POLLERS_PROPERTY} sets how many selector loops share the
 * channels (one per carrier thread by default); {@value #THREAD_PROPERTY} ({@code auto},
 * {@code virtual}, {@code platform}) says what thread each loop runs on. The choice is logged once.
 */
final class Backends {
    static final String PROPERTY = "weft.selector.backend";
    static final String POLLERS_PROPERTY = "weft.selector.pollers";
    static final String THREAD_PROPERTY = "weft.selector.thread";
    /** The first JDK whose virtual threads do not pin their carrier in a monitor (JEP 491). */
    static final int UNPINNED_MONITORS = 24;
    private static final String EPOLL_CLASS = "dev.weft.runtime.io.EpollPoller";
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    /** Why the epoll backend cannot run, or null if it can; found once. */
    private static volatile String unavailable;
    private static volatile MethodHandle epollFactory;

    private Backends() {
    }

    /** Makes one selector loop of the configured backend; {@code virtual}: its thread, for the log line. */
    static Poller create(Registry registry, boolean virtual) {
        String wantedBackend = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (wantedBackend) {
            case "nio" -> {
                return logged(new NioPoller(registry), virtual, "NIO backend (" + PROPERTY + "=nio)", "");
            }
            case "epoll", "auto" -> {
                String reason = epollUnavailable();
                if (reason == null) {
                    return logged(openEpoll(registry), virtual,
                            "epoll backend (edge-triggered, each channel added once)", "");
                }
                if (wantedBackend.equals("epoll")) {
                    throw new IllegalStateException(PROPERTY + "=epoll, but the epoll backend cannot run: " + reason);
                }
                return logged(new NioPoller(registry), virtual, "NIO backend", "; epoll is unavailable: " + reason);
            }
            default -> throw new IllegalArgumentException(
                    PROPERTY + " must be auto, epoll or nio, not '" + System.getProperty(PROPERTY) + "'");
        }
    }

    /** Logs the choice once, in one line: the backend, its loops' threads, and why. */
    private static Poller logged(Poller poller, boolean virtual, String backend, String why) {
        String threads = virtual ? "virtual" : "platform";
        log(Level.INFO, "Weft selector service: " + backend + ", loops on " + threads + " threads" + why);
        return poller;
    }

    /**
     * Returns how many selector loops to run: {@value #POLLERS_PROPERTY}, or one per carrier thread of
     * the virtual-thread scheduler (its parallelism: {@code jdk.virtualThreadScheduler.parallelism}, by
     * default the number of processors), at most 64.
     */
    static int pollers() {
        String carriers = System.getProperty("jdk.virtualThreadScheduler.parallelism",
                Integer.toString(Runtime.getRuntime().availableProcessors()));
        String n = System.getProperty(POLLERS_PROPERTY, carriers).trim();
        try {
            int count = Integer.parseInt(n);
            if (count >= 1) {
                return Math.min(count, 64);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(POLLERS_PROPERTY + " must be a positive number, not '" + n + "'");
    }

    /**
     * Returns whether the selector loops run on virtual threads: {@value #THREAD_PROPERTY}
     * {@code virtual} (JDK 24 or newer: {@code Selector.select} holds the selector's monitor, which
     * pins a carrier on JDK 21-23); {@code platform} or {@code auto}, the default, run them on platform
     * threads, which measured no slower (docs/selector.md, "Speed"). Read before any loop opens a
     * descriptor, so a bad value costs nothing.
     *
     * @throws IllegalArgumentException if the property has another value, or asks for virtual
     *     threads on a JDK older than 24
     */
    static boolean virtualLoops() {
        String wanted = System.getProperty(THREAD_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        int feature = Runtime.version().feature();
        return switch (wanted) {
            case "platform", "auto" -> false;
            case "virtual" -> {
                if (feature < UNPINNED_MONITORS) {
                    throw new IllegalArgumentException(THREAD_PROPERTY + "=virtual needs JDK " + UNPINNED_MONITORS
                            + " or newer (this is JDK " + feature + ", where a selector loop on a virtual thread"
                            + " would pin its carrier); use auto or platform");
                }
                yield true;
            }
            default -> throw new IllegalArgumentException(
                    THREAD_PROPERTY + " must be auto, virtual or platform, not '" + System.getProperty(THREAD_PROPERTY)
                            + "'");
        };
    }

    /** Returns why the epoll backend cannot run here, or null if it can. */
    static String epollUnavailable() {
        String reason = unavailable;
        if (reason == null) {
            reason = findWhyUnavailable();
            unavailable = reason;
        }
        return reason.isEmpty() ? null : reason;
    }

    private static String findWhyUnavailable() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "it needs Linux (this is " + os + ")";
        }
        int feature = Runtime.version().feature();
        if (feature < 22) {
            return "it needs JDK 22 or newer for the FFM API (this is JDK " + feature + ")";
        }
        try {
            Class<?> epoll = Class.forName(EPOLL_CLASS, true, Backends.class.getClassLoader());
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle why = lookup.findStatic(epoll, "unavailable", MethodType.methodType(String.class));
            String reason = (String) why.invoke();
            if (reason != null) {
                return reason;
            }
            epollFactory = lookup.findConstructor(epoll, MethodType.methodType(void.class, Registry.class));
            return "";
        } catch (ClassNotFoundException e) {
            return "its classes are missing (they are in META-INF/versions/22 of the weft-runtime jar;"
                    + " put the jar itself on the class path)";
        } catch (Throwable e) {
            return "it failed to load: " + e;
        }
    }

    private static Poller openEpoll(Registry registry) {
        try {
            return (Poller) epollFactory.invoke(registry);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot start the epoll backend", e);
        }
    }

    private static void log(Level level, String message) {
        if (LOGGED.add(message)) {
            Poller.LOG.log(level, message);
        }
    }
}
