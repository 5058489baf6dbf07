package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Weft#close()} stops a tree from the top when the parent shuts its children down itself. */
class CloseTreeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    record ParentSays() implements Signal {
    }

    /** Keeps every signal it gets; ends on Shutdown. */
    static final class Child extends Component {
        final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Signal s = control.receive();
                signals.add(s);
                if (s instanceof Shutdown) {
                    return;
                }
            }
        }
    }

    /** On Shutdown, if it owns its child's shutdown, tells the child first, then shuts it down and waits for it. */
    static final class Parent extends Component {
        final Child child = new Child();
        private final boolean owns;

        Parent(boolean owns) {
            this.owns = owns;
        }

        @Override
        protected boolean shutsDownItsChildren() {
            return owns;
        }

        @Override
        protected void run() throws InterruptedException {
            spawn(child);
            while (!(control.receive() instanceof Shutdown)) {
                // only Shutdown matters here
            }
            if (owns) {
                child.deliverSignal(new ParentSays());
                child.shutdown();
                child.join();
            }
        }
    }

    @Test
    void closeLeavesTheChildrenOfAParentThatShutsThemDownToThatParent() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ofMinutes(5)).start();
        Parent parent = weft.spawn(new Parent(true));
        Probes.awaitCondition(() -> parent.child.state() == ComponentState.RUNNING, "the child to run");
        assertThat(weft.isClosing()).isFalse();

        CompletableFuture.runAsync(weft::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(weft.isClosing()).isTrue();
        assertThat(parent.child.join(WAIT).state()).isEqualTo(ComponentState.FINISHED);
        assertThat(parent.child.signals).as("one Shutdown, from the parent, after its news")
                .hasSize(2).first().isInstanceOf(ParentSays.class);
    }

    @Test
    void closeShutsDownTheChildrenOfOtherParentsDirectly() throws Exception {
        Weft weft = Weft.builder().shutdownGrace(Duration.ofMinutes(5)).start();
        Parent parent = weft.spawn(new Parent(false));
        Probes.awaitCondition(() -> parent.child.state() == ComponentState.RUNNING, "the child to run");

        CompletableFuture.runAsync(weft::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(parent.child.join(WAIT).state()).as("close told it, well within the grace")
                .isEqualTo(ComponentState.FINISHED);
        assertThat(parent.child.signals).singleElement().isInstanceOf(Shutdown.class);
    }
}
