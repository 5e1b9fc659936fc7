package io.gaussrestore.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** An answer of the simulator, independent of any HTTP framework. */
public record SimResponse(int status, Map<String, String> headers, JsonNode body, String errorCode) {

    public SimResponse {
        headers = Map.copyOf(headers);
    }

    static SimResponse ok(int status, JsonNode body) {
        return new SimResponse(status, Map.of(), body, null);
    }

    /** A GaussDB or gateway error: {@code {"error_code", "error_msg"}}. */
    static SimResponse error(int status, String code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("error_code", code).put("error_msg", message);
        return new SimResponse(status, Map.of(), body, code);
    }

    /** An error answer without a service body, as a failing gateway or proxy gives. */
    static SimResponse bare(int status) {
        return new SimResponse(status, Map.of(), null, null);
    }

    SimResponse withHeader(String name, String value) {
        Map<String, String> copy = new java.util.HashMap<>(headers);
        copy.put(name, value);
        return new SimResponse(status, copy, body, errorCode);
    }
}
