package io.gaussrestore.request;

/** One broken rule: the JSON path of the field and a sentence a person understands. */
public record Violation(String field, String message) {}
