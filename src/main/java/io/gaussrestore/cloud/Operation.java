package io.gaussrestore.cloud;

/** The cloud calls this service makes; the name is the metrics label. */
public enum Operation {
    RESTORE("restore"),
    JOB("job"),
    RESTORE_TIME("restore_time"),
    INSTANCE("instance"),
    TOKEN("token");

    private final String label;

    Operation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
