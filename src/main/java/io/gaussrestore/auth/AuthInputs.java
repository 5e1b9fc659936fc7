package io.gaussrestore.auth;

import java.util.Optional;

/**
 * The auth variables as configured (secrets already read from their files), each empty when unset.
 *
 * @param plainHttpIam whether an http:// IAM endpoint is allowed (the local profile and tests only)
 */
public record AuthInputs(
        Optional<String> token,
        Optional<String> iamEndpoint,
        Optional<String> iamDomainName,
        Optional<String> iamUserName,
        Optional<String> iamPassword,
        Optional<String> iamProjectName,
        Optional<String> iamAgencyName,
        Optional<String> iamAgencyDomainName,
        Optional<String> iamAgencyDomainId,
        Optional<String> accessKey,
        Optional<String> secretKey,
        Optional<String> securityToken,
        boolean plainHttpIam) {}
