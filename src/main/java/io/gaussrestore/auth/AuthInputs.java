package io.gaussrestore.auth;

import java.util.Optional;

/** The auth variables as configured (secrets already read from their files), each empty when unset. */
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
        Optional<String> securityToken) {}
