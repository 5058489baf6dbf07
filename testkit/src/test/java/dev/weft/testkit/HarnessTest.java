package dev.weft.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.ProducerFinished;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HarnessTest {
    @RegisterExtension
    final WeftExtension weft = new WeftExtension();

    @Test
    void aComponentRunsAgainstFedInboxesAndProbedOutboxes() {
        Harness<Doubler> h = Harness.spawn(weft.weft(), new Doubler());

        h.feed(h.component().inbox, 1, 2, 3);

        assertThat(h.probe(h.component().outbox).receiveN(3)).containsExactly(2, 4, 6);
        h.component().shutdown();
        assertThat(h.signals().expectMessage(ProducerFinished.class).producer()).isSameAs(h.component());
        assertThat(h.awaitEnd().state()).isEqualTo(ComponentState.FINISHED);
    }

    @Test
    void anExpectedFailureIsObservableAndDoesNotFailTheTest() {
        Harness<Doubler> h = Harness.spawn(weft.weft(), new Doubler());
        weft.expectFailure(h.component());

        h.feed(h.component().inbox, -1);

        assertThat(h.awaitEnd().cause()).hasMessage("negative: -1");
        h.probe(h.component().outbox).expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void feedingAnotherComponentsInboxIsRefused() {
        Harness<Doubler> h = Harness.spawn(weft.weft(), new Doubler());
        Doubler other = new Doubler();

        assertThatThrownBy(() -> h.feed(other.inbox, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
