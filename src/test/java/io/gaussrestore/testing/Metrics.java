package io.gaussrestore.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample of the Prometheus text served on /q/metrics. */
public final class Metrics {

    private Metrics() {}

    /** The value of the sample whose name and labels contain all the given parts, or 0 when absent. */
    public static double value(String name, String... labelParts) {
        String text = Api.management().get("/q/metrics").then().statusCode(200).extract().asString();
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(text);
        double sum = 0;
        while (matcher.find()) {
            String labels = matcher.group(1) == null ? "" : matcher.group(1);
            boolean all = true;
            for (String part : labelParts) {
                all &= labels.contains(part);
            }
            if (all) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }
}
