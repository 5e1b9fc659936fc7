package io.gaussrestore.pipeline;

import io.gaussrestore.metrics.RestoreMetrics;
import io.gaussrestore.metrics.RestoreMetrics.Outcome;
import io.gaussrestore.request.BusinessKey;
import io.gaussrestore.request.RecordDecoder;
import io.gaussrestore.request.RequestCheck;
import io.gaussrestore.request.RequestIds;
import io.gaussrestore.request.RestoreRequest;
import io.gaussrestore.request.RestoreRequestValidator;
import io.gaussrestore.result.RestoreResult;
import io.gaussrestore.result.ResultSink;
import io.gaussrestore.submission.RestoreSubmitter;
import io.gaussrestore.submission.Submission;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The life of one request record: decode, validate, submit, publish the result. Plain Java: it knows nothing
 * of Kafka, and its answer says whether the record may be committed or must be dead-lettered.
 */
@ApplicationScoped
public class RestorePipeline {

    private static final Logger LOG = Logger.getLogger(RestorePipeline.class);

    private final RecordDecoder decoder;
    private final RestoreRequestValidator validator;
    private final RestoreSubmitter submitter;
    private final ResultSink results;
    private final RestoreMetrics metrics;
    private final Clock clock;

    public RestorePipeline(RecordDecoder decoder, RestoreRequestValidator validator, RestoreSubmitter submitter,
            ResultSink results, RestoreMetrics metrics, Clock clock) {
        this.decoder = decoder;
        this.validator = validator;
        this.submitter = submitter;
        this.results = results;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Handles one record; the Uni completes once its result is durable, or with the reason to dead-letter it. */
    public Uni<Disposition> process(InboundRecord record) {
        Instant receivedAt = clock.instant();
        RecordDecoder.Decoded decoded = decoder.decode(record.value());
        if (decoded instanceof RecordDecoder.Decoded.Unreadable unreadable) {
            LOG.warnf("record %s dead-lettered: %s (%s)", record.position(), unreadable.reason(), unreadable.detail());
            metrics.request(Outcome.DEAD_LETTERED);
            return Uni.createFrom().item(new Disposition.DeadLetter(unreadable.reason(), unreadable.detail()));
        }
        RequestCheck check = validator.check(((RecordDecoder.Decoded.Json) decoded).object());
        if (check instanceof RequestCheck.Invalid invalid) {
            String requestId = RequestIds.forInvalid(invalid.requestId(), record.ceId(), record.value());
            LOG.infof("request %s (%s) rejected: %s", requestId, record.position(), invalid.violations());
            return answer(record, Results.rejected(requestId, invalid, receivedAt), Outcome.REJECTED);
        }
        RestoreRequest request = ((RequestCheck.Valid) check).request();
        String businessKey = BusinessKey.of(request);
        String requestId = RequestIds.forValid(request, record.ceId(), businessKey);
        return submitter.submit(request)
                .chain(submission -> answer(record,
                        Results.submitted(requestId, businessKey, request, receivedAt, submission),
                        outcomeOf(submission)));
    }

    private Uni<Disposition> answer(InboundRecord record, RestoreResult result, Outcome outcome) {
        return results.publish(result).map(ignored -> {
            metrics.request(outcome);
            if (record.timestamp() != null) {
                metrics.requestLatency(Duration.between(record.timestamp(), clock.instant()));
            }
            LOG.infof("request %s (%s): %s%s", result.requestId(), record.position(), result.status(),
                    result.jobId() == null ? "" : " job " + result.jobId());
            return new Disposition.Answered(result);
        });
    }

    private static Outcome outcomeOf(Submission submission) {
        if (submission instanceof Submission.Accepted) {
            return Outcome.SUBMITTED;
        }
        return submission instanceof Submission.Refused ? Outcome.FAILED : Outcome.UNKNOWN;
    }
}
