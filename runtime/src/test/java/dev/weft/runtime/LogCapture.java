package dev.weft.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Keeps every record a java.util.logging logger publishes while attached (the runtime logs through System.Logger, which reaches it). */
final class LogCapture extends Handler {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private Level levelBefore;

    LogCapture(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
    }

    /** Starts capturing at every level. */
    void attach() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Stops capturing and restores the logger's level. */
    void detach() {
        logger.removeHandler(this);
        logger.setLevel(levelBefore);
    }

    List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
