package io.gaussrestore.auth;

import java.net.URI;
import java.util.Optional;

/** How calls to the cloud are authenticated; chosen by which variables are set. */
public sealed interface AuthMode {

    /** A fixed IAM token ({@code GAUSSDB_AUTH_TOKEN}); it cannot be renewed. */
    record FixedToken(String token) implements AuthMode {
        @Override
        public String toString() {
            return "FixedToken[***]";
        }
    }

    /** Tokens fetched from IAM with a user's password, renewed before they expire; optionally an agency on top. */
    record IamPassword(URI iamEndpoint, String domainName, String userName, String password, String projectName,
            Optional<Agency> agency) implements AuthMode {
        @Override
        public String toString() {
            return "IamPassword[" + iamEndpoint + ", " + domainName + "/" + userName + ", " + projectName + ", " + agency + "]";
        }
    }

    /** An agency token (assume-role) fetched with a fixed token of the delegating party. */
    record AgencyOnToken(URI iamEndpoint, String baseToken, String projectName, Agency agency) implements AuthMode {
        @Override
        public String toString() {
            return "AgencyOnToken[" + iamEndpoint + ", " + projectName + ", " + agency + "]";
        }
    }

    /** Every call signed with an access key pair; the security token is set for temporary keys. */
    record AkSk(String accessKey, String secretKey, Optional<String> securityToken) implements AuthMode {
        @Override
        public String toString() {
            return "AkSk[" + accessKey + "]";
        }
    }

    /** The agency to assume: its name and the domain that owns it (by name or by id). */
    record Agency(String agencyName, Optional<String> domainName, Optional<String> domainId) {}
}
