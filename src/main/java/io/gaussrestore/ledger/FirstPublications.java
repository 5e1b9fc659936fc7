package io.gaussrestore.ledger;

import java.time.Instant;
import java.util.Optional;

/** Each request's first result: who publishes it, the exact bytes kept for a republication, whether it is out. */
public interface FirstPublications {

    /**
     * Takes the publication of a request's first result for {@code publisher} until {@code now} plus the publish
     * lease, unless it is published already or another publisher holds it. With {@code keep}, {@code resultJson} is
     * kept as the first result unless one is kept already (without, the result is one rebuilt the same from the row
     * every time). Answers the bytes to publish, or empty when this caller must not publish.
     */
    Optional<String> takeFirstPublication(String requestId, String resultJson, boolean keep, String publisher,
            Instant now);

    /** Notes that the first result reached the broker, and gives back the hold on its publication. */
    void markFirstResultPublished(String requestId);

    /** {@link #markFirstResultPublished} for several requests at once, in one commit. */
    void markFirstResultsPublished(java.util.Collection<String> requestIds);
}
