package dev.weft.bench;

import dev.weft.runtime.Actor;
import dev.weft.runtime.Component;
import dev.weft.runtime.Inbox;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Savina "chameneos": {@value #CREATURES} chameneos ask a mall to meet; the mall pairs them until
 * {@code n} meetings took place, then tells each to leave, and each reports how many meetings it
 * had. The check: the reports add up to {@code 2n} (each meeting counts for both).
 */
final class Chameneos {
    static final int CREATURES = 100;

    private Chameneos() {
    }

    static Trial create(String peer) {
        return switch (peer) {
            case "weft" -> new Components();
            case "actors" -> new Actors();
            case "pekko" -> new OnPekkoTrial();
            default -> throw new IllegalArgumentException("chameneos has no peer " + peer);
        };
    }

    enum Color {
        RED, YELLOW, BLUE, FADED;

        /** The color two meeting chameneos both take. */
        Color complement(Color other) {
            if (this == FADED || other == FADED) {
                return FADED;
            }
            if (this == other) {
                return this;
            }
            return values()[3 - ordinal() - other.ordinal()];
        }
    }

    /** A chameneo's address: an inbox for Weft, an actor reference for Pekko. */
    record Meet(Color color, Object from) {
    }

    record Change(Color color) {
    }

    record Leave() {
    }

    record MeetingCount(int count) {
    }

    static void check(long n, long meetings) {
        if (meetings != 2 * n) {
            throw new IllegalStateException("chameneos: " + meetings + " meetings reported, expected " + 2 * n);
        }
    }

    /** The mall's state: pairs chameneos, counts meetings down, then sends everyone away. */
    static final class Mall {
        private final BiConsumer<Object, Object> tell;    // (address, message)
        private long meetingsLeft;
        private Object waiting;
        private int left;
        private long reported;

        Mall(long meetings, BiConsumer<Object, Object> tell) {
            this.meetingsLeft = meetings;
            this.tell = tell;
        }

        /** Handles one message; returns the total of reported meetings once all have left, else -1. */
        long handle(Object m) {
            if (m instanceof MeetingCount c) {
                reported += c.count();
                return ++left == CREATURES ? reported : -1;
            }
            Meet meet = (Meet) m;
            if (meetingsLeft == 0) {
                tell.accept(meet.from(), new Leave());
            } else if (waiting == null) {
                waiting = meet.from();
            } else {
                meetingsLeft--;
                tell.accept(waiting, meet);
                waiting = null;
            }
            return -1;
        }
    }

    /** A chameneo's state. */
    static final class Creature {
        private final Object self;
        private final Object mall;
        private final BiConsumer<Object, Object> tell;
        private Color color;
        private int meetings;

        Creature(int id, Object self, Object mall, BiConsumer<Object, Object> tell) {
            this.self = self;
            this.mall = mall;
            this.tell = tell;
            this.color = Color.values()[id % 3];
        }

        void start() {
            tell.accept(mall, new Meet(color, self));
        }

        /** Handles one message; returns true when it has left. */
        boolean handle(Object m) {
            switch (m) {
                case Meet meet -> {
                    color = color.complement(meet.color());
                    meetings++;
                    tell.accept(meet.from(), new Change(color));
                    tell.accept(mall, new Meet(color, self));
                }
                case Change change -> {
                    color = change.color();
                    meetings++;
                    tell.accept(mall, new Meet(color, self));
                }
                default -> {
                    color = Color.FADED;
                    tell.accept(mall, new MeetingCount(meetings));
                    return true;
                }
            }
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    static void sendTo(Object address, Object message) {
        try {
            ((Inbox<Object>) address).send(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- Weft components

    static final class MallComponent extends Component {
        final Inbox<Object> inbox = inbox("inbox", Object.class, 2 * CREATURES);
        private final Mall mall;
        volatile long total;

        MallComponent(long meetings) {
            this.mall = new Mall(meetings, Chameneos::sendTo);
        }

        @Override
        protected void run() throws InterruptedException {
            long t;
            while ((t = mall.handle(inbox.receive())) < 0) {
                // pairing
            }
            total = t;
        }
    }

    static final class CreatureComponent extends Component {
        final Inbox<Object> inbox = inbox(Object.class);
        private final Creature creature;

        CreatureComponent(int id, Inbox<Object> mall) {
            this.creature = new Creature(id, inbox, mall, Chameneos::sendTo);
        }

        @Override
        protected void run() throws InterruptedException {
            creature.start();
            while (!creature.handle(inbox.receive())) {
                // meeting
            }
        }
    }

    static final class Components extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            MallComponent mall = weft.spawn(new MallComponent(n));
            for (int i = 0; i < CREATURES; i++) {
                weft.spawn(new CreatureComponent(i, mall.inbox));
            }
            mall.join();
            long elapsed = System.nanoTime() - start;
            check(n, mall.total);
            return elapsed;
        }
    }

    // ---------------------------------------------------------------- Weft actors

    static final class MallActor extends Actor<Object> {
        final CompletableFuture<Long> total = new CompletableFuture<>();
        private final Mall mall;

        MallActor(long meetings) {
            super("mall", Object.class, 2 * CREATURES);
            this.mall = new Mall(meetings, Chameneos::sendTo);
        }

        @Override
        protected void onMessage(Object m) {
            long t = mall.handle(m);
            if (t >= 0) {
                total.complete(t);
                finish();
            }
        }
    }

    static final class CreatureActor extends Actor<Object> {
        private final Creature creature;

        CreatureActor(int id, Inbox<Object> mall) {
            super(Object.class);
            this.creature = new Creature(id, inbox, mall, Chameneos::sendTo);
        }

        @Override
        protected void onStart() {
            creature.start();
        }

        @Override
        protected void onMessage(Object m) {
            if (creature.handle(m)) {
                finish();
            }
        }
    }

    static final class Actors extends OnWeft {
        @Override
        public long run(long n) throws Exception {
            long start = System.nanoTime();
            MallActor mall = weft.spawn(new MallActor(n));
            for (int i = 0; i < CREATURES; i++) {
                weft.spawn(new CreatureActor(i, mall.inbox));
            }
            long total = mall.total.get();
            long elapsed = System.nanoTime() - start;
            check(n, total);
            return elapsed;
        }
    }

    // ---------------------------------------------------------------- Pekko typed

    @SuppressWarnings("unchecked")
    static void tell(Object address, Object message) {
        ((ActorRef<Object>) address).tell(message);
    }

    static Behavior<Object> mall(long meetings, CompletableFuture<Long> total) {
        Mall mall = new Mall(meetings, Chameneos::tell);
        return Behaviors.receiveMessage(m -> {
            long t = mall.handle(m);
            if (t >= 0) {
                total.complete(t);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }

    static Behavior<Object> creature(int id, ActorRef<Object> mall) {
        return Behaviors.setup(ctx -> {
            Creature creature = new Creature(id, ctx.getSelf(), mall, Chameneos::tell);
            creature.start();
            return Behaviors.receiveMessage(m -> creature.handle(m) ? Behaviors.stopped() : Behaviors.same());
        });
    }

    static final class OnPekkoTrial extends OnPekko {
        @Override
        public long run(long n) throws Exception {
            CompletableFuture<Long> total = new CompletableFuture<>();
            long start = System.nanoTime();
            ActorRef<Object> mall = pekko.spawn(mall(n, total));
            for (int i = 0; i < CREATURES; i++) {
                pekko.spawn(creature(i, mall));
            }
            long result = total.get();
            long elapsed = System.nanoTime() - start;
            check(n, result);
            return elapsed;
        }
    }
}
