package io.gaussrestore.gaussdb;

import io.gaussrestore.cloud.ApiResult;
import io.gaussrestore.cloud.ApiErrorBody;
import io.gaussrestore.cloud.Operation;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every code of section 5 of the API facts, and the failures without an answer. */
class ErrorClassifierTest {

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "RESTORE,400,DBS.200001,PERMANENT",
            "RESTORE,400,DBS.200004,PERMANENT",
            "RESTORE,400,DBS.280001,PERMANENT",
            "RESTORE,400,DBS.290000,PERMANENT",
            "RESTORE,400,DBS.200461,PERMANENT",
            "RESTORE,400,DBS.280277,PERMANENT",
            "RESTORE,400,DBS.200006,PERMANENT",
            "RESTORE,400,DBS.200086,WAIT_FOR_INSTANCE",
            "RESTORE,400,DBS.201014,WAIT_FOR_INSTANCE",
            "RESTORE,400,DBS.200823,PERMANENT",
            "RESTORE,400,DBS.280128,PERMANENT",
            "RESTORE,400,DBS.201203,PERMANENT",
            "RESTORE,400,DBS.280214,PERMANENT",
            "RESTORE,400,DBS.280404,PERMANENT",
            "JOB,400,DBS.200543,RETRY_SAFE",
            "RESTORE,400,DBS.200543,PERMANENT",
            "RESTORE,401,APIGW.0301,REFRESH_AUTH",
            "JOB,401,APIGW.0301,REFRESH_AUTH",
            "RESTORE,403,DBS.200010,PERMANENT",
            "RESTORE,403,DBS.200044,PERMANENT",
            "RESTORE,403,DBS.201003,PERMANENT",
            "RESTORE,403,DBS.280015,PERMANENT",
            "RESTORE,403,DBS.280056,REFRESH_AUTH",
            "RESTORE,404,DBS.200002,PERMANENT",
            "RESTORE,404,DBS.200045,PERMANENT",
            "RESTORE,404,DBS.200408,PERMANENT",
            "RESTORE,404,DBS.290005,PERMANENT",
            "RESTORE,409,DBS.200011,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.200019,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.200047,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.201202,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.212006,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.201205,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.201015,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.05000084,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.212033,WAIT_FOR_INSTANCE",
            "RESTORE,409,DBS.200316,PERMANENT",
            "RESTORE,429,APIGW.0308,RETRY_SAFE",
            "RESTORE,429,APIG.0308,RETRY_SAFE",
            "RESTORE,500,DBS.108000,RETRY_SAFE",
            "RESTORE,500,DBS.200005,RETRY_SAFE",
            "RESTORE,500,DBS.213002,RETRY_SAFE",
            "RESTORE,500,DBS.290006,RETRY_SAFE",
            "RESTORE,500,DBS.290015,RETRY_SAFE",
            "RESTORE,500,DBS.05000000,RETRY_SAFE",
            "RESTORE,504,APIGW.0201,AMBIGUOUS",
            "JOB,504,APIGW.0201,RETRY_SAFE",
            "RESTORE,502,,AMBIGUOUS",
            "RESTORE,503,,AMBIGUOUS",
            "JOB,503,,RETRY_SAFE",
            "RESTORE,418,,PERMANENT"})
    void classifiesAnswers(Operation operation, int status, String code, ErrorClass expected) {
        Optional<ApiErrorBody> body = code == null ? Optional.empty() : Optional.of(new ApiErrorBody(code, "m"));
        ApiResult result = new ApiResult.ErrorResponse(status, body, null, null);
        assertThat(ErrorClassifier.classify(operation, result)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1} sent={2} -> {3}")
    @CsvSource({
            "RESTORE,CONNECT_FAILED,false,RETRY_SAFE",
            "RESTORE,TIMEOUT,true,AMBIGUOUS",
            "RESTORE,CONNECTION_BROKEN,true,AMBIGUOUS",
            "JOB,TIMEOUT,true,RETRY_SAFE",
            "INSTANCE,CONNECTION_BROKEN,true,RETRY_SAFE"})
    void classifiesMissingAnswers(Operation operation, ApiResult.NoResponse.Kind kind, boolean sent, ErrorClass expected) {
        assertThat(ErrorClassifier.classify(operation, new ApiResult.NoResponse(kind, sent, "x"))).isEqualTo(expected);
    }
}
