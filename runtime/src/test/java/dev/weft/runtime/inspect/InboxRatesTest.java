package dev.weft.runtime.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.ComponentState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InboxRatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static GraphSnapshot withReceived(long received) {
        InboxInfo in = new InboxInfo("inbox", "java.lang.String", 64, 0, received, null);
        ComponentInfo c = new ComponentInfo(7, "c", "C", ComponentState.RUNNING, false, null, List.of(in), List.of(),
                Map.of(), null);
        return new GraphSnapshot(0, List.of(c), List.of(), List.of());
    }

    @Test
    void rateIsMessagesSinceTheBaselineOverTheInterval() {
        InboxRates rates = new InboxRates(500);

        assertThat(rates.update(withReceived(100), 0)).as("no baseline yet").isEmpty();
        Map<BoxRef, Double> after = rates.update(withReceived(400), 2 * SECOND);

        assertThat(after).containsExactly(Map.entry(new BoxRef(7, "inbox"), 150.0));
    }

    @Test
    void quickPollsMeasureAgainstTheOlderBaseline() {
        InboxRates rates = new InboxRates(1000);
        rates.update(withReceived(0), 0);
        rates.update(withReceived(100), SECOND);

        Map<BoxRef, Double> quick = rates.update(withReceived(110), SECOND + SECOND / 10);

        assertThat(quick.get(new BoxRef(7, "inbox")))
                .as("10 messages in the 0.1 s since the baseline moved at 1 s").isEqualTo(100.0, within());
        assertThat(rates.update(withReceived(300), 3 * SECOND).get(new BoxRef(7, "inbox")))
                .as("the quick poll did not move the baseline").isEqualTo(100.0, within());
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
