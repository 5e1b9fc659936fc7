package io.gaussrestore.auth;

import java.time.Instant;

/** A token IAM issued and its lifetime. */
public record IssuedToken(String value, Instant issuedAt, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedToken[***, issued " + issuedAt + ", expires " + expiresAt + "]";
    }
}
