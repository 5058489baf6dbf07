package dev.weft.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GateTest {

    @Test
    void aBearerHeaderGivesTheTokenWhateverTheSchemesCase() {
        assertThat(Gate.presentedToken("Bearer abc", null)).isEqualTo("abc");
        assertThat(Gate.presentedToken("bearer   abc ", null)).isEqualTo("abc");
        assertThat(Gate.presentedToken("BEARER abc", "token=other")).as("the header comes first").isEqualTo("abc");
    }

    @Test
    void withoutABearerHeaderTheQuerysTokenParameterCounts() {
        assertThat(Gate.presentedToken(null, "token=abc")).isEqualTo("abc");
        assertThat(Gate.presentedToken("Basic dXNlcjpwdw==", "a=1&token=s%2Fx%3D&b=2")).isEqualTo("s/x=");
        assertThat(Gate.presentedToken(null, "token=%zz")).as("a malformed escape is taken as it is").isEqualTo("%zz");
    }

    @Test
    void noHeaderAndNoTokenParameterPresentNothing() {
        assertThat(Gate.presentedToken(null, null)).isNull();
        assertThat(Gate.presentedToken(null, "a=1&mytoken=abc")).isNull();
    }
}
