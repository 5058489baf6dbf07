package dev.weft.testkit;

import dev.weft.runtime.Component;
import dev.weft.runtime.Terminated;
import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test its own {@link Weft} runtime, closes it after the test, and fails the test if a
 * component failed (its body threw) without the test saying it expected that.
 *
 * <pre>{@code
 * @ExtendWith(WeftExtension.class)
 * class DoublerTest {
 *     @Test
 *     void doublesWhatItReceives(Weft weft) { ... }
 * }
 * }</pre>
 *
 * or, to reach {@link #weft()} and {@link #expectFailure(Component)}, as a field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final WeftExtension weft = new WeftExtension();
 * }</pre>
 *
 * <p>The runtime's shutdown grace is {@value #GRACE_MILLIS} ms, so components that ignore
 * {@code Shutdown} are interrupted quickly when the test ends. Register the extension as an instance
 * field (one per test instance) when tests run in parallel.
 */
public final class WeftExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    static final long GRACE_MILLIS = 200;
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(WeftExtension.class);

    private final Consumer<Weft.Builder> settings;
    private volatile Session current;

    /** An extension whose runtimes have the default settings (but a short shutdown grace). */
    public WeftExtension() {
        this(builder -> { });
    }

    /**
     * An extension whose runtimes are built with {@code settings} applied, e.g.
     * {@code b -> b.defaultInboxCapacity(4)}. The extension sets the failure listener itself.
     */
    public WeftExtension(Consumer<Weft.Builder> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Returns the runtime of the test running now. */
    public Weft weft() {
        return session().weft;
    }

    /** Tells the extension that {@code component} failing is part of the test, not a reason to fail it. */
    public void expectFailure(Component component) {
        session().expected.add(component);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        current = session(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Session session = context.getStore(NAMESPACE).remove(Session.class, Session.class);
        current = null;
        if (session != null) {
            session.closeAndCheck();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Weft.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return session(context).weft;
    }

    private Session session(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(Session.class, k -> new Session(settings), Session.class);
    }

    private Session session() {
        Session s = current;
        if (s == null) {
            throw new IllegalStateException("no test is running with this WeftExtension");
        }
        return s;
    }

    /** One test's runtime and the failures it saw. */
    private static final class Session {
        final Weft weft;
        final Queue<Terminated> failures = new ConcurrentLinkedQueue<>();
        final Set<Component> expected = ConcurrentHashMap.newKeySet();

        Session(Consumer<Weft.Builder> settings) {
            Weft.Builder builder = Weft.builder().shutdownGrace(Duration.ofMillis(GRACE_MILLIS));
            settings.accept(builder);
            this.weft = builder.onFailure(failures::add).start();
        }

        void closeAndCheck() {
            weft.close();
            List<Terminated> unexpected = new ArrayList<>();
            for (Terminated t : failures) {
                if (!expected.contains(t.component())) {
                    unexpected.add(t);
                }
            }
            if (unexpected.isEmpty()) {
                return;
            }
            Terminated first = unexpected.get(0);
            AssertionError error = new AssertionError("component " + first.component().name() + " failed unexpectedly"
                    + (unexpected.size() > 1 ? " (and " + (unexpected.size() - 1) + " more)" : "")
                    + "; call WeftExtension.expectFailure(component) if that is the point of the test",
                    first.cause());
            for (Terminated t : unexpected.subList(1, unexpected.size())) {
                error.addSuppressed(new AssertionError("component " + t.component().name() + " failed", t.cause()));
            }
            throw error;
        }
    }
}
