package io.gaussrestore.auth;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Chooses the auth mode from the variables that are set, or says exactly which ones are missing. Pure. */
public final class AuthModeSelector {

    private AuthModeSelector() {}

    /** The mode, or the reason none can be chosen. */
    public sealed interface Selection {
        record Chosen(AuthMode mode) implements Selection {}

        record Refused(String message) implements Selection {}
    }

    public static Selection select(AuthInputs in) {
        boolean password = in.iamDomainName().isPresent() || in.iamUserName().isPresent() || in.iamPassword().isPresent();
        boolean agency = in.iamAgencyName().isPresent() || in.iamAgencyDomainName().isPresent()
                || in.iamAgencyDomainId().isPresent();
        boolean akSk = in.accessKey().isPresent() || in.secretKey().isPresent();
        boolean token = in.token().isPresent();

        List<String> chosen = new ArrayList<>();
        if (token && !agency) {
            chosen.add("GAUSSDB_AUTH_TOKEN");
        }
        if (password) {
            chosen.add("IAM password (IAM_USER_NAME...)");
        }
        if (akSk) {
            chosen.add("AK/SK (HUAWEICLOUD_SDK_AK...)");
        }
        if (agency && !password && !token) {
            return refuse("IAM_AGENCY_NAME needs a token to assume the agency with: set IAM_USER_NAME, IAM_PASSWORD and "
                    + "IAM_DOMAIN_NAME, or GAUSSDB_AUTH_TOKEN");
        }
        if (chosen.size() > 1) {
            return refuse("several auth modes are configured (" + String.join(", ", chosen) + "); set only one");
        }
        if (akSk) {
            List<String> missing = missing(ordered("HUAWEICLOUD_SDK_AK", in.accessKey(), "HUAWEICLOUD_SDK_SK", in.secretKey()));
            return missing.isEmpty()
                    ? chosen(new AuthMode.AkSk(in.accessKey().get(), in.secretKey().get(), in.securityToken()))
                    : refuse("AK/SK auth is incomplete: missing " + String.join(", ", missing));
        }
        Optional<AuthMode.Agency> agencyMode = Optional.empty();
        if (agency) {
            List<String> missing = new ArrayList<>(missing(ordered("IAM_AGENCY_NAME", in.iamAgencyName(),
                    "IAM_ENDPOINT", in.iamEndpoint(), "IAM_PROJECT_NAME", in.iamProjectName())));
            if (in.iamAgencyDomainName().isEmpty() && in.iamAgencyDomainId().isEmpty()) {
                missing.add("IAM_AGENCY_DOMAIN_NAME or IAM_AGENCY_DOMAIN_ID");
            }
            if (!missing.isEmpty()) {
                return refuse("IAM agency auth is incomplete: missing " + String.join(", ", missing));
            }
            agencyMode = Optional.of(new AuthMode.Agency(in.iamAgencyName().get(), in.iamAgencyDomainName(),
                    in.iamAgencyDomainId()));
        }
        Optional<AuthMode.Agency> onTop = agencyMode;
        if (password) {
            List<String> missing = missing(ordered("IAM_ENDPOINT", in.iamEndpoint(), "IAM_DOMAIN_NAME", in.iamDomainName(),
                    "IAM_USER_NAME", in.iamUserName(), "IAM_PASSWORD", in.iamPassword(), "IAM_PROJECT_NAME",
                    in.iamProjectName()));
            if (!missing.isEmpty()) {
                return refuse("IAM password auth is incomplete: missing " + String.join(", ", missing));
            }
            Optional<String> insecure = plainHttp(in);
            if (insecure.isPresent()) {
                return refuse(insecure.get());
            }
            return endpoint(in.iamEndpoint().get()).map(uri -> chosen(new AuthMode.IamPassword(uri, in.iamDomainName().get(),
                    in.iamUserName().get(), in.iamPassword().get(), in.iamProjectName().get(), onTop)))
                    .orElseGet(() -> refuse("IAM_ENDPOINT is not an http(s) URL"));
        }
        if (token && agencyMode.isPresent()) {
            Optional<String> insecure = plainHttp(in);
            if (insecure.isPresent()) {
                return refuse(insecure.get());
            }
            AuthMode.Agency assumed = agencyMode.get();
            return endpoint(in.iamEndpoint().get()).map(uri -> chosen(new AuthMode.AgencyOnToken(uri, in.token().get(),
                    in.iamProjectName().get(), assumed))).orElseGet(() -> refuse("IAM_ENDPOINT is not an http(s) URL"));
        }
        if (token) {
            return chosen(new AuthMode.FixedToken(in.token().get()));
        }
        return refuse("no credentials for the GaussDB API: set GAUSSDB_AUTH_TOKEN; or IAM_ENDPOINT, IAM_DOMAIN_NAME, "
                + "IAM_USER_NAME, IAM_PASSWORD and IAM_PROJECT_NAME; or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK");
    }

    /** Refuses an http:// IAM endpoint unless allowed: the password or token would cross the network in clear. */
    private static Optional<String> plainHttp(AuthInputs in) {
        boolean http = in.iamEndpoint().map(e -> e.regionMatches(true, 0, "http:", 0, 5)).orElse(false);
        return http && !in.plainHttpIam()
                ? Optional.of("IAM_ENDPOINT uses plain http, which would send the IAM password or token in clear; "
                        + "use https (plain http is accepted only by the local profile)")
                : Optional.empty();
    }

    private static Optional<URI> endpoint(String text) {
        try {
            URI uri = URI.create(text);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null
                    ? Optional.of(uri)
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Map<String, Optional<String>> ordered(Object... pairs) {
        Map<String, Optional<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            Optional<String> value = (Optional<String>) pairs[i + 1];
            map.put((String) pairs[i], value);
        }
        return map;
    }

    private static List<String> missing(Map<String, Optional<String>> variables) {
        List<String> missing = new ArrayList<>();
        variables.forEach((name, value) -> {
            if (value.isEmpty()) {
                missing.add(name);
            }
        });
        return missing;
    }

    private static Selection chosen(AuthMode mode) {
        return new Selection.Chosen(mode);
    }

    private static Selection refuse(String message) {
        return new Selection.Refused(message);
    }
}
