package com.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Weft;
import dev.weft.testkit.Harness;
import dev.weft.testkit.WeftExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(WeftExtension.class)
class ShoutTest {
    @Test
    void shoutsEachLineThenEnds(Weft weft) {
        Harness<Shout> h = Harness.spawn(weft, new Shout());

        h.feed(h.component().in, "hello", "weft");

        assertThat(h.probe(h.component().out).receiveN(2)).containsExactly("HELLO", "WEFT");
        h.component().shutdown();
        assertThat(h.awaitEnd().state()).isEqualTo(ComponentState.FINISHED);
    }
}
