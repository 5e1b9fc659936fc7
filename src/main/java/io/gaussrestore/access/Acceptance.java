package io.gaussrestore.access;

import io.gaussrestore.request.RestoreRequest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one acceptance step of a valid request, whichever door it came through: the restore policy in force (with
 * the caller, for the HTTP door and the console), then the policy's hourly limit for the instance. The count
 * behind the limit is asked for only when the policy sets one.
 */
@Singleton
public class Acceptance {

    /** The span the policy's hourly limit counts back over. */
    private static final Duration HOUR = Duration.ofHours(1);

    /** How many requests of the request's instance were accepted since a moment, the request itself left out. */
    @FunctionalInterface
    public interface AcceptedSince {
        Uni<Long> count(Instant since);
    }

    private final AccessFiles access;

    protected Acceptance(AccessFiles access) {
        this.access = access;
    }

    /** Why the request, judged at {@code at}, is not accepted, or empty when it is. */
    public Uni<Optional<RestorePolicy.Denial>> judge(RestoreRequest request, Optional<RestorePolicy.Caller> caller,
            Instant at, AcceptedSince accepted) {
        RestorePolicy policy = access.policy();
        Optional<RestorePolicy.Denial> denial = policy.check(request, caller);
        if (denial.isPresent() || policy.hourlyLimit(request).isEmpty()) {
            return Uni.createFrom().item(denial);
        }
        return accepted.count(at.minus(HOUR)).map(count -> policy.checkHourly(request, count));
    }
}
