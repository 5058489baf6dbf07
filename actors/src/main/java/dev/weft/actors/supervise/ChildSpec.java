package dev.weft.actors.supervise;

import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import dev.weft.runtime.ServiceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a {@link Supervisor} makes and wires one child: a factory for fresh instances, a
 * {@link Restart} type, and the wiring it re-applies to every instance before spawning it.
 *
 * <pre>{@code
 * ChildSpec<Worker> worker = ChildSpec.of("worker", Worker::new)
 *         .restart(Restart.PERMANENT)
 *         .entry("inbox", Job.class)                    // a stable inbox: supervisor.entry("worker", "inbox", Job.class)
 *         .link("outbox", results.inbox)                // the instance's outbox -> a stable inbox
 *         .register(WORKER_KEY, "inbox");               // the instance's inbox under a service key
 * }</pre>
 *
 * <p>Wiring, applied to each new instance in this order: {@linkplain #link links} from its
 * outboxes, {@linkplain #linkToEntry links} to siblings' entries, {@linkplain #entry entries}
 * retargeted at its inboxes, {@linkplain #register service keys} registered, then the
 * {@linkplain #onStart hook}. A box name that does not exist or a type that does not fit makes the
 * start fail, and the supervisor escalates. A spec belongs to one supervisor.
 *
 * @param <C> the child's class
 */
public final class ChildSpec<C extends Component> {
    record OutLink(String outbox, Inbox<?> target) {
    }

    record EntryLink(String outbox, String child, String box) {
    }

    record Entry(String box, Class<?> type) {
    }

    record Registration(ServiceKey<?> key, String box) {
    }

    private final String name;
    private final Supplier<? extends C> factory;
    private Restart restart = Restart.PERMANENT;
    private final List<OutLink> links = new ArrayList<>();
    private final List<EntryLink> entryLinks = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<Registration> registrations = new ArrayList<>();
    private Consumer<? super C> onStart = c -> { };

    private ChildSpec(String name, Supplier<? extends C> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** Returns a spec for the child {@code name}, made by {@code factory} (which must return a new instance each time). */
    public static <C extends Component> ChildSpec<C> of(String name, Supplier<? extends C> factory) {
        return new ChildSpec<>(name, factory);
    }

    /** Sets when the child is restarted (default {@link Restart#PERMANENT}). */
    public ChildSpec<C> restart(Restart type) {
        this.restart = Objects.requireNonNull(type, "type");
        return this;
    }

    /** Links each instance's outbox {@code outbox} to {@code target}, which must outlive the instances. */
    public ChildSpec<C> link(String outbox, Inbox<?> target) {
        links.add(new OutLink(outbox, Objects.requireNonNull(target, "target")));
        return this;
    }

    /** Links each instance's outbox {@code outbox} to the entry {@code box} of the sibling {@code child}. */
    public ChildSpec<C> linkToEntry(String outbox, String child, String box) {
        entryLinks.add(new EntryLink(outbox, child, box));
        return this;
    }

    /**
     * Gives the child's inbox {@code box} a stable entry taking {@code type}: an inbox owned by the
     * supervisor that forwards to whichever instance runs now and holds messages while none does.
     * When the child is gone for good (it will not be restarted) the entry closes and refuses senders.
     */
    public ChildSpec<C> entry(String box, Class<?> type) {
        entries.add(new Entry(box, Objects.requireNonNull(type, "type")));
        return this;
    }

    /** Registers each instance's inbox {@code box} under {@code key}; the registration ends with the instance. */
    public ChildSpec<C> register(ServiceKey<?> key, String box) {
        registrations.add(new Registration(Objects.requireNonNull(key, "key"), box));
        return this;
    }

    /** Runs {@code wiring} on each new instance after the rest of the wiring and before it is spawned. */
    public ChildSpec<C> onStart(Consumer<? super C> wiring) {
        this.onStart = Objects.requireNonNull(wiring, "wiring");
        return this;
    }

    /** Returns the child's name. */
    public String name() {
        return name;
    }

    Restart restartType() {
        return restart;
    }

    C newInstance() {
        return Objects.requireNonNull(factory.get(), "the factory of child '" + name + "' returned null");
    }

    List<OutLink> links() {
        return links;
    }

    List<EntryLink> entryLinks() {
        return entryLinks;
    }

    List<Entry> entries() {
        return entries;
    }

    List<Registration> registrations() {
        return registrations;
    }

    @SuppressWarnings("unchecked")
    void runOnStart(Component instance) {
        onStart.accept((C) instance);
    }
}
