package io.gaussrestore.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorCodeLabelsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "DBS.200823|DBS.200823",
            "APIGW.0308|APIGW.0308",
            "HTTP.502|HTTP.502",
            "AUTH.CREDENTIALS_REFUSED|AUTH.CREDENTIALS_REFUSED",
            "null|''",
            "The database does not exist.|other",
            "DBS.200823 <html>|other",
            "dbs.1|other",
            "DBS.123456789012345678901234567890123|other"})
    void keepsWhatLooksLikeACode(String code, String label) {
        assertThat(new ErrorCodeLabels(10).label(code)).isEqualTo(label);
    }

    @Test
    void newCodesBeyondTheCapAreOther() {
        ErrorCodeLabels labels = new ErrorCodeLabels(3);
        assertThat(labels.label("DBS.1")).isEqualTo("DBS.1");
        assertThat(labels.label("DBS.2")).isEqualTo("DBS.2");
        assertThat(labels.label("DBS.3")).isEqualTo("DBS.3");
        assertThat(labels.label("DBS.4")).isEqualTo("other");
        assertThat(labels.label("DBS.1")).as("codes seen before keep their label").isEqualTo("DBS.1");
    }
}
