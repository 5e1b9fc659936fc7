package io.gaussrestore.pipeline;

import io.gaussrestore.submission.Submission;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests whose lease this process holds but whose work stopped on a failure (the ledger or the broker failed
 * under it), and what it had learnt: when its record comes again, the work resumes under that lease instead of
 * waiting it out and answering UNKNOWN.
 */
@ApplicationScoped
public class UnfinishedWork {

    /** Work stopped after its claim: under which lease, and the cloud's answer if one came (null: nothing sent). */
    record Unfinished(String leaseToken, Submission outcome) {}

    private final Map<String, Unfinished> work = new ConcurrentHashMap<>();

    void note(String requestId, String leaseToken, Submission outcome) {
        work.put(requestId, new Unfinished(leaseToken, outcome));
    }

    /** This process's unfinished work on the request under this lease, taken (it resumes now), or null. */
    Unfinished take(String requestId, String leaseToken) {
        Unfinished mine = work.get(requestId);
        if (mine == null || !mine.leaseToken().equals(leaseToken)) {
            return null;
        }
        work.remove(requestId, mine);
        return mine;
    }
}
